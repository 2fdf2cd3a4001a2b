"""A small world for the public side: KH-NP has published one phone and holds
another it did not publish; a Vietnamese national detained by KH-NP. Marker
strings (``ZZSECRET``) sit in everything the public must never learn."""
from types import SimpleNamespace

import pytest

from liaison.public import abuse, services
from liaison.registry.models import (
    Identifier,
    IdentityDocument,
    Nationality,
    PersonStatus,
)
from liaison.sharing.models import Agency, Role
from tests.factories import make_agency, make_person, make_user

PUBLISHED_PHONE = "+85512345678"
HELD_PHONE = "+85512777001"  # held by KH-NP, never published
SECRET_LABEL = "ZZSECRET-Label"
SECRET_ALIAS = "ZZSECRET Alias"
SECRET_PASSPORT = "ZZSECRET999"
SECRET_HOLDER = "ZZSECRET Holding Bureau"
SECRETS = ("ZZSECRET", HELD_PHONE)


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PUBLIC_POW_BITS = 4
    settings.PUBLIC_HOTLINES = {"TH": [["1441", "AOC"]], "KH": [["117", "Police"]]}
    settings.PUBLIC_REPORT_AGENCIES = {"TH": "TH-RTP", "KH": "KH-NP", "VN": "VN-MPS"}
    settings.PUBLIC_REPORT_DEFAULT_AGENCY = "TH-RTP"
    settings.PUBLIC_CONSULAR_AGENCIES = {}
    from django.core.cache import caches
    caches["public"].clear()


@pytest.fixture
def world(db):
    kh = make_agency("KH-NP", country="KH", name="Cambodian National Police")
    th = make_agency("TH-RTP", country="TH", name="Royal Thai Police")
    vn_mps = make_agency("VN-MPS", country="VN", name="Ministry of Public Security of Viet Nam")
    vn = make_agency("VN-MOFA", country="VN", name="Ministry of Foreign Affairs of Viet Nam",
                     kind=Agency.Kind.FOREIGN_MINISTRY)
    secret = make_agency("ZZ-HOLD", country="LA", name=SECRET_HOLDER)
    kh_officer = make_user(kh, roles=[Role.LIAISON_OFFICER, Role.ANALYST])
    th_officer = make_user(th, roles=[Role.LIAISON_OFFICER])
    vn_consul = make_user(vn, roles=[Role.LIAISON_OFFICER])
    published = Identifier.objects.create(owner=kh, kind="phone", value=PUBLISHED_PHONE, label="ZZSECRET-Pub-Label",
                                          notes="ZZSECRET note")
    held = Identifier.objects.create(owner=kh, kind="phone", value=HELD_PHONE, label=SECRET_LABEL)
    Identifier.objects.create(owner=secret, kind="phone", value=HELD_PHONE, label=SECRET_LABEL)
    listing = services.publish(kh_officer, published, "job_lure", "Fake job agent")
    detained = make_person(kh, "Nguyễn Văn Hùng", SECRET_ALIAS, birth_date="1997-11-03")
    Nationality.objects.create(person=detained, country_id="VN")
    IdentityDocument.objects.create(person=detained, kind="passport", number=SECRET_PASSPORT)
    PersonStatus.objects.create(person=detained, status="detained", date="2024-03")
    from liaison.matching import services as matching
    matching.match_new_person(detained)
    return SimpleNamespace(kh=kh, th=th, vn=vn, vn_mps=vn_mps, secret=secret, kh_officer=kh_officer,
                           th_officer=th_officer, vn_consul=vn_consul, published=published, held=held,
                           listing=listing, detained=detained)


def solved(client, url, **data):
    """POST a report form as a browser with JavaScript would: the proof of work done."""
    challenge = abuse.new_challenge()
    data = {"challenge": challenge, "nonce": abuse.solve(challenge, 4), **data}
    return client.post(url, data)
