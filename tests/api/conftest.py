import pytest
from rest_framework.test import APIClient

from liaison.sharing.models import Role
from tests.factories import login, make_agency, make_user


@pytest.fixture
def world(db):
    cn = make_agency("MPS", "CN")
    mm = make_agency("MOHA", "MM")
    unodc = make_agency("UNODC", None, is_member=False)
    return {
        "cn": cn, "mm": mm, "unodc": unodc,
        "cn_editor": make_user(cn, username="li.wei"),
        "cn_viewer": make_user(cn, roles=(Role.VIEWER,)),
        "mm_editor": make_user(mm),
        "observer": make_user(unodc),
    }


@pytest.fixture
def client_for():
    def build(user):
        return login(APIClient(), user)
    return build
