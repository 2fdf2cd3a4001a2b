"""The demo: the Ming family across agencies and scripts, in cn.analyst's queue; two hits that leak nothing."""
import pytest

from liaison.demo import builder
from liaison.matching import services
from liaison.matching.models import HitNotice
from liaison.requests.models import Notification
from tests.factories import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return builder.load()


def names_of(person):
    return {n.full_name for n in person.names.all()}


def test_cn_analyst_has_the_ming_family_to_decide(demo, client):
    cn = demo.users["cn.analyst"]
    # The queue: pairs cn.analyst may decide, one record of each CN-MPS's.
    pairs = list(services.decidable_pairs(cn).select_related("person_a__owner", "person_b__owner"))
    assert all("CN-MPS" in {p.person_a.owner.short_name, p.person_b.owner.short_name} for p in pairs)
    seen = [(names_of(p.person_a) | names_of(p.person_b), {p.person_a.owner.short_name, p.person_b.owner.short_name})
            for p in pairs]
    assert any({"明学昌", "Xuechang Ming"} <= names and owners == {"CN-MPS", "MM-MPF"} for names, owners in seen)
    assert any({"明学昌", "MING XUE CHANG"} <= names and owners == {"CN-MPS", "MM-MUSE"} for names, owners in seen)
    assert any({"明国平", "Guoping Ming"} <= names for names, _o in seen)
    assert any({"明菊兰", "MING JU LAN"} <= names for names, _o in seen)
    assert any({"明珍珍", "Zhenzhen Ming"} <= names for names, _o in seen)
    login(client, cn)
    html = client.get("/matching/").content.decode()
    assert "Xuechang Ming" in html and "明学昌" in html and "<meter" in html


def test_demo_hits_tell_each_side_only_the_other_agency(demo, client):
    th, mm = demo.users["th.officer"], demo.users["mm.officer"]
    assert HitNotice.objects.filter(watched_agency__short_name="CN-KH-LECCO", matched_agency__short_name="TH-RTP").exists()
    assert HitNotice.objects.filter(watched_agency__short_name="CN-YN-DH", matched_agency__short_name="MM-MPF").exists()
    login(client, th)
    html = client.get("/matching/hits/").content.decode()
    assert "record held by CN-KH-LECCO" in html and "CHEN ZHI HUA" in html
    assert "陈志华" not in html and "Heng Chenda" not in html
    login(client, mm)
    html = client.get("/matching/hits/").content.decode()
    assert "record held by CN-YN-DH" in html and "赵永福" not in html and "Zhao Yongfu" not in html
    assert Notification.for_user(mm).filter(kind="watchlist_hit").exists()
