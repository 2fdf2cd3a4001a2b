"""What a screener might try: open the record behind a hit, hit a protected or unlisted person,
tell them apart by the answer's queries, or spell out a record by screening variants."""
import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from liaison.audit.models import AuditEntry
from liaison.requests.models import Notification
from liaison.screening import services
from liaison.screening.manifest import check_traveller
from liaison.screening.models import Screening, ScreeningHit
from tests.factories import login, make_user

pytestmark = pytest.mark.django_db


def screen(user, name, born="", **more):
    traveller, problems = check_traveller({"name": name, "birth_date": born, **more})
    assert problems == []
    run, answers = services.screen(user, [traveller], kind=Screening.Kind.API, place="Mae Sot")
    return run, answers[0]


def test_the_screener_cannot_open_the_record_behind_a_hit(world, client):
    _run, answer = screen(world.screener, "ZAW MIN TUN", "1988-07-21")
    hit = answer.hits[0]
    login(client, world.screener)
    assert client.get(f"/persons/{hit.watched_id}/").status_code == 403
    assert client.get(f"/screening/hits/{hit.reference}/").status_code == 404  # the owner's page, not the screener's
    assert login(APIClient(), world.screener).get(f"/api/persons/{hit.watched_id}/").status_code == 403
    # An analyst of the same agency gets "no such record", not even a refusal.
    login(client, world.th_analyst)
    assert client.get(f"/persons/{hit.watched_id}/").status_code == 404
    assert client.get(f"/screening/hits/{hit.reference}/").status_code == 404
    # The owner reads the hit: who screened, where, and the traveller as entered.
    login(client, world.cn_analyst)
    assert client.get(f"/screening/hits/{hit.reference}/").status_code == 404  # MM's record, not CN's
    assert hit.reference not in client.get("/screening/hits/").content.decode()
    mm_officer = make_user(world.mm, username="t_mm_officer")
    login(client, mm_officer)
    page = client.get(f"/screening/hits/{hit.reference}/").content.decode()
    assert "TH-IMM-T" in page and "Mae Sot" in page and "ZAW MIN TUN" in page and "Malee Srisuk" in page


def test_a_record_the_screeners_agency_may_read_is_linked_for_an_analyst_only(world):
    # CN's fugitive is distributed to all member agencies: TH's analyst may read it anyway.
    run, answer = screen(world.th_analyst, "MING XUE CHANG", "1955")
    rows = services.answer_rows(world.th_analyst, run)
    assert rows[0]["hits"][0]["record"] == world.cn_fugitive.pk
    # The screening-only account reads no record at all.
    run, answer = screen(world.screener, "MING XUE CHANG", "1955")
    assert services.answer_rows(world.screener, run)[0]["hits"][0]["record"] is None


def test_a_protected_identity_and_an_unlisted_person_never_hit(world):
    for name, born in (("Li Meifang", "1999"), ("李美芳", "1999"), ("Chen Zhihua", "1979"), ("陈志华", "1979-05-02")):
        _run, answer = screen(world.screener, name, born)
        assert answer.hits == [], name
    assert not ScreeningHit.objects.exists()
    assert not Notification.objects.filter(kind="screening_hit").exists()


def test_a_no_hit_answer_costs_the_same_queries_whether_or_not_a_namesake_is_held(world):
    def queries(name, born):
        with CaptureQueriesContext(connection) as captured:
            screen(world.screener, name, born)
        return len(captured)

    queries("Qorvath Zenlimbo", "1970")  # warm: content types and the like are cached after the first
    nobody = queries("Qorvath Zenlimbo", "1970")
    assert queries("Chen Zhihua", "1979") == nobody  # KH's unlisted wanted man
    assert queries("Li Meifang", "1999") == nobody  # KH's protected victim, listed before the rule


@override_settings(SCREENING_PROBE_LIMIT=2)
def test_past_the_daily_limit_the_screener_hears_no_hit_and_the_owner_is_warned(world):
    for born in ("1988-07-21", "1988-07-22", "1988-07-23"):
        _run, answer = screen(world.screener, "ZAW MIN TUN", born)
    assert answer.hits == []  # the third: not shown to TH
    rows = list(ScreeningHit.objects.filter(watched_agency=world.mm).order_by("id").values_list("withheld", flat=True))
    assert rows == [False, False, True]
    # MM still hears of every hit, and that the last was held back.
    notices = Notification.objects.filter(agency=world.mm, kind="screening_hit").order_by("id")
    assert notices.count() == 3 and "not shown to the screening officer" in notices.last().body
    assert Notification.objects.filter(agency=world.mm, kind="screening_probing").count() == 1
    assert AuditEntry.objects.filter(action="screening_probing", owner_agency=world.mm).count() == 1
    # Other agencies' watchlists are counted apart.
    assert screen(world.screener, "MING XUE CHANG", "1955")[1].hits
    # TH learns nothing of the limit.
    assert not Notification.objects.filter(agency=world.th).exists()


def test_every_screening_is_audited_hit_or_not(world):
    screen(world.screener, "Qorvath Zenlimbo", "1970")
    entry = AuditEntry.objects.get(action="screening")
    assert (entry.actor, entry.owner_agency, entry.detail["travellers"], entry.detail["hits"]) == (
        world.screener, world.th, 1, 0)
