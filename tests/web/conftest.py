import pytest

from tests.factories import login
from tests.web.world import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def as_cn(client, world):
    return login(client, world.cn_user)


@pytest.fixture
def as_mm(client, world):
    return login(client, world.mm_user)
