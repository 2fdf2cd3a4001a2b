"""Timelines and dashboards (liaison/analysis/timeline*.py, figures.py,
dashboard_views.py) as officers of different agencies see them.

The world: CN's operation (members, TLP:GREEN) with two phases; events CN
shares with every member, one CN keeps to itself (TLP:AMBER, owner only), one
KH marks TLP:RED and shares with CN alone, one retracted; persons of each
kind; a site that changed status; a request CN sent TH and one it sent KH.
Marker numbers and words (4242, Qzx...) must never reach a reader who may not
see the record that carries them: not in a chart, a table, a count or a timeline.
"""
import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liaison.analysis import figures as figures_part
from liaison.analysis.timeline import person_timeline_items, timeline_items
from liaison.core.models import Country
from liaison.operations.models import Event, Figure, Operation, Participant, Phase
from liaison.registry.models import PersonStatus, Site
from liaison.requests.models import Request
from liaison.sharing.models import Role, Share
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db

GREEN = {"distribution": "members", "tlp": "GREEN"}


def event(owner, title, *, figures=(), countries=(), **fields):
    marking = {"distribution": fields.pop("distribution", "members"), "tlp": fields.pop("tlp", "GREEN")}
    e = Event.objects.create(owner=owner, kind=fields.pop("kind", "raid"), title=title, **marking, **fields)
    e.countries.set(Country.objects.filter(code__in=countries))
    for category, value, *qualifier in figures:
        Figure.objects.create(event=e, category=category, value=value, qualifier=qualifier[0] if qualifier else "")
    return e


@pytest.fixture
def w():
    cn, th, kh = make_agency("CN-T", "CN"), make_agency("TH-T", "TH"), make_agency("KH-T", "KH")
    op = Operation.objects.create(owner=cn, name="Opx", start="2023-09", **GREEN)
    op.countries.set(Country.objects.filter(code__in=["CN", "TH", "MM"]))
    p1 = Phase.objects.create(operation=op, number=1, name="Opx first sweep", start="2023-09", end="2023-12")
    p2 = Phase.objects.create(operation=op, number=2, start="2024-01")
    site = Site.objects.create(owner=cn, name="Riverside compound", country_id="MM", status="active",
                               status_since="2023", **GREEN)
    site.status, site.status_since = "raided", "2023-11"
    site.save()
    hidden_site = Site.objects.create(owner=cn, name="Hidden compound Wqx", country_id="TH", status="active")
    handover = event(cn, "Handover at Muse", date="2023-11-18", operation=op, phase=p1, site=site,
                     figures=[("suspects", 571)], countries=["MM", "CN"])
    event(cn, "Phase one results", date="2023-09", date_end="2023-12", is_cumulative=True, operation=op, phase=p1,
          figures=[("suspects", 70000, "more_than"), ("cases", 160)], countries=["CN", "TH"])
    event(cn, "Secret raid Qzx", date="2023-10-02", operation=op, phase=p1, site=hidden_site,
          distribution="owner", tlp="AMBER", figures=[("victims", 4242)], countries=["TH"])
    red = event(kh, "Red tip Rdq", date="2024-02", operation=op, phase=p2, distribution="shared", tlp="RED",
                figures=[("leaders", 9191)], countries=["TH"])
    Share.objects.create(record=red, agency=cn)
    event(cn, "Withdrawn claim Wdq", date="2024-03", operation=op, phase=p2, figures=[("deaths", 3131)],
          countries=["TH"], retracted_at=timezone.now())
    # Persons of the handover: shared, CN's own, and a protected victim shared without her identity.
    shared = make_person(cn, "Ming Public", distribution="members")
    own = make_person(cn, "Owner Only Boss")
    victim = make_person(cn, "Velmq Hidden", distribution="members", protection="victim")
    for person, status in ((shared, "arrested"), (own, "detained"), (victim, "rescued")):
        Participant.objects.create(event=handover, person=person, role="suspect" if person != victim else "victim")
        PersonStatus.objects.create(person=person, status=status, date="2023-11",
                                    note="Velmq told us" if person == victim else "")
    now = timezone.now()
    Request.objects.create(kind="handover", title="Handover of the Muse group", from_agency=cn, to_agency=th,
                           status="sent", sent_at=now, operation=op)
    to_kh = Request.objects.create(kind="handover", title="Hidden request Kqz", from_agency=cn, to_agency=kh,
                                   status="sent", sent_at=now - dt.timedelta(days=1), operation=op)
    to_kh.person_links.create(person=victim)
    return dict(cn=cn, th=th, kh=kh, op=op, p1=p1, p2=p2, site=site, victim=victim, handover=handover,
                cn_user=make_user(cn), th_user=make_user(th, roles=(Role.ANALYST, Role.LIAISON_OFFICER)),
                kh_user=make_user(kh))


HIDDEN_FROM_TH = ["4242", "4,242", "Secret raid Qzx", "9191", "9,191", "Red tip Rdq", "3131", "3,131",
                  "Withdrawn claim",
                  "Hidden request Kqz", "Hidden compound Wqx", "Velmq"]


def page(user, path):
    response = login(Client(), user).get(path)
    return response.status_code, response.content.decode()


def test_cn_analyst_sees_the_dashboard_with_charts_timeline_and_counts(w):
    status, html = page(w["cn_user"], f"/analysis/operations/{w['op'].pk}/")
    assert status == 200
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2  # figures by phase and by category
    assert "more than 70,000" in html and "4,242" in html and "9,191" in html  # CN sees its own and the RED tip
    assert "3,131" not in html and "Withdrawn claim" not in html  # retracted: out for its owner too
    assert "Opx first sweep" in html and "Phase 2" in html  # phases on the timeline
    assert "Site status: Raided" in html and "Riverside compound" in html
    assert "Hidden request Kqz" in html and "Request sent to TH-T" in html
    # Persons by current status: the three of the handover.
    assert "Persons by current status" in html
    assert ">Arrested</th><td>1<" in html and ">Detained</th><td>1<" in html and ">Rescued</th><td>1<" in html
    assert ">Total</th><td>3<" in html
    assert f"/analysis/operations/{w['op'].pk}/timeline/" in html


def test_another_agencys_amber_red_and_retracted_records_change_nothing_for_th(w):
    """Attack: TH's officer opens CN's operation dashboard, its timeline and the
    TH country dashboard, and reads the chart text, the tables and the counts
    for what CN kept to itself, KH's RED tip, a retracted event, CN's request to
    KH, CN's hidden site and the name in the protected victim's status note."""
    th = w["th_user"]
    for path in (f"/analysis/operations/{w['op'].pk}/", f"/analysis/operations/{w['op'].pk}/timeline/",
                 f"/analysis/operations/{w['op'].pk}/timeline/?phase=1", "/analysis/countries/TH/",
                 "/analysis/countries/MM/", f"/analysis/persons/{w['victim'].pk}/timeline/", "/analysis/dashboards/"):
        status, html = page(th, path)
        assert status == 200, path
        for marker in HIDDEN_FROM_TH:
            assert marker not in html, (path, marker)
    _status, html = page(th, f"/analysis/operations/{w['op'].pk}/")
    assert "more than 70,000" in html and "571" in html  # what CN shared is there
    assert "Handover of the Muse group" in html  # TH is party to this request
    # The protected victim counts, as the person list shows her; CN's own suspect does not.
    assert ">Total</th><td>2<" in html and "Detained" not in html
    assert "Riverside compound" in html


def test_charts_and_rows_read_only_visible_events(w):
    th, cn = w["th_user"], w["cn_user"]
    values = lambda user, **kw: sorted(r["value"] for r in figures_part.figure_rows(user, **kw))  # noqa: E731
    assert values(th, operation=w["op"]) == [160, 571, 70000]
    assert values(cn, operation=w["op"]) == [160, 571, 4242, 9191, 70000]
    assert values(th, country="TH") == [160, 70000]
    # KH, a member agency, sees its own RED tip, never CN's owner-only event.
    assert values(w["kh_user"], operation=w["op"]) == [160, 571, 9191, 70000]


def test_phases_of_an_operation_the_reader_cannot_see_are_not_named(w):
    """Attack: an event TH may see sits in a phase of a KH operation TH may not
    see; grouping TH's figures by phase must not print that phase's name."""
    secret_op = Operation.objects.create(owner=w["kh"], name="Covert op Zzq")
    phase = Phase.objects.create(operation=secret_op, number=1, name="Covert phase Zzq")
    event(w["kh"], "Public raid", date="2024-05", operation=secret_op, phase=phase, figures=[("suspects", 12)],
          countries=["TH"])
    rows = figures_part.figure_rows(w["th_user"], country="TH", by="phase")
    assert {r["label"] for r in rows if r["value"] == 12} == {"Not assigned to a phase"}
    assert not any("Zzq" in r["label"] for r in rows)
    assert figures_part.figure_rows(w["th_user"], operation=secret_op) == []
    status, html = page(w["th_user"], f"/analysis/operations/{secret_op.pk}/")
    assert status == 404 and "Zzq" not in html
    assert page(w["th_user"], f"/analysis/operations/{secret_op.pk}/timeline/")[0] == 404


def test_figures_by_month_and_country_are_grouped_not_summed(w):
    cn = w["cn_user"]
    with_months = figures_part.figure_rows(cn, operation=w["op"], by="month")
    labels = [(r["label"], r["value"]) for r in with_months]
    # The running total sits at the end of its period; the handover in its month.
    assert ("November 2023", 571) in labels and ("December 2023", 70000) in labels
    by_country = figures_part.figure_rows(cn, operation=w["op"], by="country")
    assert {r["label"] for r in by_country if r["value"] == 571} == {"Myanmar (Burma)", "China"}
    assert sum(1 for r in by_country if r["value"] == 70000) == 2  # shown under each country, never added
    status, html = page(cn, "/analysis/countries/MM/")
    assert status == 200 and "Figures by month" in html and "November 2023" in html
    assert ">Raided</th>" in html  # sites by status


def test_the_timeline_places_dated_items_and_lists_yearless_ones_by_phase(w):
    Event.objects.create(owner=w["cn"], kind="meeting", title="Review meeting", date="--01-21", operation=w["op"],
                         phase=w["p1"], **GREEN)
    timeline = timeline_items(w["cn_user"], operation=w["op"])
    placed = [(i.kind, i.title) for i in timeline.placed]
    # The site's first status ("since 2023") spans the year; the first phase starts in September.
    assert placed[:2] == [("site", "Riverside compound"), ("phase", "Opx first sweep")]
    assert ("event", "Handover at Muse") in placed
    # No year: the meeting (listed under its phase), CN's own site whose status has no date.
    assert [i.title for i in timeline.unplaced] == ["Review meeting", "Hidden compound Wqx"]
    # The site's status over time: active since 2023 until it was raided in November, raided since.
    site = [(i.start, i.end, i.open_end, i.note) for i in timeline if i.title == "Riverside compound"]
    assert site == [("2023", "2023-11", False, "Site status: Active"), ("2023-11", "", True, "Site status: Raided")]
    phase2 = next(i for i in timeline.placed if i.kind == "phase" and i.phase == 2)
    assert phase2.span.pos + phase2.span.width == 100  # started, no end: runs to the axis end
    assert str(phase2) == "January 2024 – …: Phase 2"
    # One phase: its events only, no request (requests are filed per operation).
    one = timeline_items(w["cn_user"], operation=w["op"], phase=w["p2"])
    assert {i.title for i in one} == {"Phase 2", "Red tip Rdq"}
    status, html = page(w["cn_user"], f"/analysis/operations/{w['op'].pk}/timeline/")
    assert "Without a year" in html and "21 Jan (year unknown)" in html
    assert "tl-s" in html and "tl-w" in html and 'style="' not in html.split("<main>")[1]


def test_a_person_timeline_withholds_a_protected_identity_as_the_person_page_does(w):
    victim, th, cn = w["victim"], w["th_user"], w["cn_user"]
    items = person_timeline_items(th, victim)
    assert [i.title for i in items if i.kind == "status"] == ["Rescued"]
    assert all(not i.note for i in items if i.kind == "status")
    assert not any(i.kind == "request" for i in items)  # CN's request to KH names her: TH is no party
    status, html = page(th, f"/analysis/persons/{victim.pk}/timeline/")
    assert status == 200 and "Protected identity" in html and "Velmq" not in html
    assert "Handover at Muse" in html
    status, html = page(cn, f"/analysis/persons/{victim.pk}/timeline/")
    assert "Velmq Hidden" in html and "Velmq told us" in html and "Hidden request Kqz" in html
    assert page(th, f"/analysis/persons/{make_person(w['cn'], 'Nobody').pk}/timeline/")[0] == 404


def test_the_dashboard_costs_the_same_queries_for_ten_times_the_events(w):
    cn = w["cn_user"]
    client = login(Client(), cn)
    path = f"/analysis/operations/{w['op'].pk}/"
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    for n in range(30):
        event(w["cn"], f"Raid {n}", date=f"2023-{n % 12 + 1:02d}", operation=w["op"], phase=w["p1"],
              figures=[("suspects", n + 1)], countries=["TH"])
    with CaptureQueriesContext(connection) as many:
        assert client.get(path).status_code == 200
    assert len(many) <= len(few) + 2, [q["sql"][:120] for q in many.captured_queries]


def test_entry_points_link_to_the_dashboard_and_timelines(w):
    _s, html = page(w["cn_user"], f"/operations/{w['op'].pk}/")
    assert f'href="/analysis/operations/{w["op"].pk}/"' in html
    _s, html = page(w["cn_user"], f"/persons/{w['victim'].pk}/")
    assert f'href="/analysis/persons/{w["victim"].pk}/timeline/"' in html
    _s, html = page(w["cn_user"], "/analysis/")
    assert 'href="/analysis/dashboards/"' in html
    _s, html = page(w["th_user"], "/analysis/dashboards/")
    assert "Opx" in html and 'href="/analysis/countries/TH/"' in html
    assert page(w["th_user"], "/analysis/countries/XX/")[0] == 404
    assert page(w["th_user"], "/analysis/operations/999999/")[0] == 404


def test_persons_by_status_answers_the_same_for_a_large_operation(w, monkeypatch):
    """Hundreds of persons are checked row by row, more in one query: same counts."""
    from liaison.analysis import dashboard_views

    for user, total in ((w["th_user"], 2), (w["cn_user"], 3)):
        events = figures_part.visible_events(user, operation=w["op"])
        few = dashboard_views.persons_by_status(user, events)
        monkeypatch.setattr(dashboard_views, "PER_ROW_LIMIT", 1)
        many = dashboard_views.persons_by_status(user, events)
        monkeypatch.undo()
        assert few == many and few[1] == total
