"""A small cross-agency world for the matching tests: the Ming family as
different agencies wrote it, in different scripts.

Distinctive marker strings (``ZZ-SECRET-…``) sit in records one agency must
never learn of, so that a leak anywhere is a substring search away.
"""
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from liaison.matching.models import CandidatePair
from liaison.registry.models import IdentityDocument, Nationality, PersonName, PersonStatus
from liaison.sharing.models import Role, Share
from tests.factories import login, make_agency, make_person, make_user

PASSWORD = "correct horse battery staple"
SECRET_ALIAS = "ZZSECRET Alias"
SECRET_PASSPORT = "ZZSECRET999"
SECRET_PLACE = "ZZ-SECRET-Birthplace"
SECRETS = (SECRET_ALIAS, SECRET_PASSPORT, SECRET_PLACE, "ZZSECRET", "ZZ-SECRET")


@dataclass
class Score:
    """Test data shaped like the linkage scorer's PairScore."""

    probability: float
    match_weight: float = 8.0
    fields: dict = field(default_factory=lambda: {"name": 7.5, "dob": 1.2, "country": -0.4})
    why: str = "name: same person in pinyin (+7.5); dob: year matches (+1.2)"


def make_pair(a, b, probability=0.93, **kwargs):
    a, b = sorted([a, b], key=lambda p: p.pk)
    score = Score(probability)
    return CandidatePair.objects.create(person_a=a, person_b=b, probability=probability, match_weight=score.match_weight,
                                        fields=score.fields, why=score.why.split("; "), **kwargs)


def build():
    cn = make_agency("MPS-T", "CN", name="Ministry of Public Security (test)")
    mm = make_agency("MPF-T", "MM", name="Myanmar Police Force (test)")
    kh = make_agency("KHNP-T", "KH", name="Cambodian National Police (test)")
    w = SimpleNamespace(cn=cn, mm=mm, kh=kh)
    w.cn_analyst = make_user(cn, username="t_cn_analyst", password=PASSWORD)
    w.cn_liaison = make_user(cn, roles=(Role.LIAISON_OFFICER, Role.ANALYST), username="t_cn_liaison", password=PASSWORD)
    w.cn_viewer = make_user(cn, roles=(Role.VIEWER,), username="t_cn_viewer", password=PASSWORD)
    w.mm_analyst = make_user(mm, username="t_mm_analyst", password=PASSWORD)
    w.mm_liaison = make_user(mm, roles=(Role.LIAISON_OFFICER,), username="t_mm_liaison", password=PASSWORD)
    w.kh_analyst = make_user(kh, username="t_kh_analyst", password=PASSWORD)

    # CN-MPS: the warrant, in Chinese and pinyin, shared with all members.
    w.cn_ming = make_person(cn, "明学昌", "Ming Xuechang", distribution="members", sex="male", birth_date="1955")
    Nationality.objects.create(person=w.cn_ming, country_id="MM")
    # MM-MPF: the handover list, family name last; shared with CN only.
    w.mm_ming = make_person(mm, "Xuechang Ming", distribution="shared", sex="male", birth_date="1955-03")
    IdentityDocument.objects.create(person=w.mm_ming, number="MD123456", country_id="MM")
    Share.objects.create(record=w.mm_ming, agency=cn)
    # MM-MPF's own record, visible to nobody else.
    w.mm_hidden = make_person(mm, "MING XUE CHANG", sex="male", birth_date="1955")
    # KH-NP: a fugitive nobody else may see, with marker strings.
    w.kh_wanted = make_person(kh, "Chen Zhihua", SECRET_ALIAS, sex="male", birth_date="1979", birth_place=SECRET_PLACE)
    IdentityDocument.objects.create(person=w.kh_wanted, number=SECRET_PASSPORT, country_id="KH")
    PersonStatus.objects.create(person=w.kh_wanted, status="wanted", date="2024-01")
    PersonStatus.objects.create(person=w.kh_wanted, status="fugitive", date="2024-03")
    # A victim whose identity CN may not read.
    w.mm_victim = make_person(mm, "Ming Xue Chang", distribution="members", protection="victim")
    PersonName.objects.create(person=w.cn_ming, full_name="明學昌", kind="alias", language="zh-Hant")
    return w


@pytest.fixture
def world(db):
    return build()


@pytest.fixture
def as_cn(client, world):
    return login(client, world.cn_analyst)
