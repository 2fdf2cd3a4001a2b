"""Two agencies that ask each other for things (Viet Nam's foreign ministry and
Cambodia's police), a third that must never see their requests, and the
officers of each with different roles."""

from types import SimpleNamespace

import pytest

from liaison.registry.models import PersonStatus
from liaison.sharing.models import Role, User
from tests.factories import login, make_agency, make_person, make_user

PASSWORD = "correct horse battery staple"
LO = (Role.LIAISON_OFFICER,)


def build_desk():
    vn = make_agency("VN-T", "VN", name="Ministry of Foreign Affairs of Viet Nam")
    kh = make_agency("KH-T", "KH", name="Cambodian National Police")
    cn = make_agency("CN-T", "CN", name="Ministry of Public Security")
    w = SimpleNamespace(vn=vn, kh=kh, cn=cn)
    w.vn_lo = make_user(vn, roles=LO, username="vn_lo", password=PASSWORD, email="vn@example.org")
    w.vn_analyst = make_user(vn, roles=(Role.ANALYST,), username="vn_analyst", password=PASSWORD)
    w.vn_viewer = make_user(vn, roles=(Role.VIEWER,), username="vn_viewer", password=PASSWORD)
    w.kh_lo = make_user(kh, roles=LO, username="kh_lo", password=PASSWORD, email="kh@example.org")
    w.kh_analyst = make_user(kh, roles=(Role.ANALYST,), username="kh_analyst", password=PASSWORD)
    w.cn_lo = make_user(cn, roles=LO, username="cn_lo", password=PASSWORD)
    w.admin = User.objects.create_user(
        username="platform", password=PASSWORD, roles=[Role.PLATFORM_ADMIN], is_staff=True, is_superuser=True
    )
    w.persons = [
        make_person(vn, name, is_synthetic=True) for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường")
    ]
    for p in w.persons:
        PersonStatus.objects.create(person=p, status="detained", date="2024-01-10", country_id="KH")
    return w


@pytest.fixture
def desk(db):
    return build_desk()


@pytest.fixture
def as_vn(client, desk):
    return login(client, desk.vn_lo)


@pytest.fixture
def as_kh(client, desk):
    return login(client, desk.kh_lo)


REPATRIATION_FIELDS = {"planned_date": "2099-01-20", "border_crossing": "Bavet – Moc Bai", "transport": "road"}
CONSULAR_FIELDS = {
    "detention_place": "Phnom Penh immigration centre",
    "detained_on": "2024-01-10",
    "visit_requested": True,
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Attachments go to a throw-away folder, never the project's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
