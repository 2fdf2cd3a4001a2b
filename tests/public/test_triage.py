"""Triage into the registry (issue 11, officer side): confirm, merge with an
existing record, reject. The same identifier reported a hundred times is one
registry identifier with a hundred reports; a confirmed missing-relative report
is a registry person of the agency; the reporter's contact stays on the report."""
import unicodedata

import pytest
from django.urls import reverse

from liaison import identifiers as idf
from liaison.audit.models import AuditEntry
from liaison.public import services, triage
from liaison.public.models import PublicReport, ReportLink
from liaison.registry.models import (
    Citation,
    Identifier,
    Person,
    PersonStatus,
    Relationship,
)
from tests.factories import login, make_user

from .conftest import HELD_PHONE, SECRET_LABEL, solved

pytestmark = pytest.mark.django_db

SHARED_PHONE = "+85512340000"  # KH-NP's record, visible to every member agency
NEW_PHONE = "+85599888777"  # in nobody's records
REPORTER_CONTACT = "mother-zz@example.org"


@pytest.fixture
def shared(world):
    """A KH-NP identifier every member agency sees (TH-RTP included)."""
    return Identifier.objects.create(owner=world.kh, kind="phone", value=SHARED_PHONE, distribution="members",
                                     label="KH shared label")


def scam(*phones, country="TH", contact="me@example.org"):
    report, _code = services.submit_report(
        kind="scam", language="th", country=country, what_happened="paid a fee", contact=contact,
        identifiers=[("phone", idf.normalize("phone", p), p) for p in phones])
    return report


def missing(**fields):
    data = {"relative_names": "Nguyễn Văn Hùng", "birth_date": "1997", "nationality": "VN",
            "last_place": "Bavet, Svay Rieng", "relative_contact": "0912 000 000", "contact": REPORTER_CONTACT,
            "recruiter": "a Telegram agent", "what_happened": "stopped answering"}
    data.update(fields)
    report, _code = services.submit_report(kind="missing", language="vi", country="VN", **data)
    return report


def link_of(report, phone):
    return ReportLink.objects.get(report=report, identifier__normalized=phone)


# Scam reports: merge into a registry identifier, or one new record --------------------------

def test_merge_attaches_the_report_to_a_visible_record_and_later_reports_follow(world, shared):
    th = world.th_officer
    first = scam("+855 12 340 000")
    choices = {row.link.pk: row for row in triage.identifier_choices(th, first)}
    row = choices[link_of(first, SHARED_PHONE).pk]
    assert [o.pk for o in row.options] == [shared.pk]  # offered; TH-RTP holds none of its own
    triage.confirm(th, first, into={row.link.pk: shared.pk})

    assert link_of(first, SHARED_PHONE).record == shared
    assert not Identifier.objects.filter(owner=world.th, normalized=SHARED_PHONE).exists()  # merged, not copied
    first.refresh_from_db()
    assert first.status == "confirmed"
    entry = AuditEntry.objects.filter(action="public_triage", record_id=first.pk).get()
    assert entry.detail["merged"] == [shared.pk] and entry.detail["created"] == []

    # A later report to TH-RTP of the same number attaches to KH-NP's record on arrival,
    # and its confirmation, with nothing chosen, keeps it there.
    second = scam("+85512340000")
    assert link_of(second, SHARED_PHONE).record == shared
    triage.confirm(th, second)
    assert link_of(second, SHARED_PHONE).record == shared
    assert not Identifier.objects.filter(owner=world.th, normalized=SHARED_PHONE).exists()
    assert triage.confirmed_counts(world.th.pk, [shared.pk]) == {shared.pk: 2}


def test_confirm_creates_one_own_amber_record_and_a_double_click_changes_nothing(world):
    th = world.th_officer
    first, second = scam(NEW_PHONE), scam(NEW_PHONE)
    triage.confirm(th, first)
    triage.confirm(th, first)  # the double click
    record = Identifier.objects.get(owner=world.th, normalized=NEW_PHONE)
    assert record.tlp == "AMBER" and record.distribution == "owner"
    assert AuditEntry.objects.filter(action="public_triage", record_id=first.pk).count() == 1
    assert link_of(second, NEW_PHONE).record == record  # the pending duplicate follows
    triage.confirm(th, second)
    assert Identifier.objects.filter(normalized=NEW_PHONE).count() == 1
    assert triage.confirmed_counts(world.th.pk, [record.pk]) == {record.pk: 2}


def test_reports_to_another_agency_do_not_follow_this_agencys_choice(world, shared):
    triage.confirm(world.th_officer, scam(SHARED_PHONE), into=None)
    kh_report = scam(SHARED_PHONE, country="KH")
    # KH-NP's own record is what its officer is offered first; TH-RTP's choice is TH-RTP's.
    assert link_of(kh_report, SHARED_PHONE).record is None
    row = triage.identifier_choices(world.kh_officer, kh_report)[0]
    assert row.proposed == shared.pk


def test_merged_reports_count_on_the_public_answer_once_published(client, world, shared):
    for _n in range(2):
        report = scam(SHARED_PHONE)
        triage.confirm(world.th_officer, report, into={link_of(report, SHARED_PHONE).pk: shared.pk})
    unpublished = client.post("/public/check/", {"text": SHARED_PHONE}).content.decode()
    assert "confirmed report" not in unpublished
    services.publish(world.kh_officer, shared, "job_lure")
    page = client.post("/public/check/", {"text": SHARED_PHONE}).content.decode()
    assert "2 confirmed reports from the public name it" in page


def test_no_merge_into_a_record_the_officer_cannot_see_or_of_another_value(world, shared):
    report = scam(HELD_PHONE, SHARED_PHONE)
    held_link, shared_link = link_of(report, HELD_PHONE), link_of(report, SHARED_PHONE)
    hidden = Identifier.objects.get(owner=world.secret, normalized=HELD_PHONE)
    for into in ({held_link.pk: hidden.pk}, {held_link.pk: world.held.pk}, {held_link.pk: shared.pk}):
        with pytest.raises(services.NotAllowed):
            triage.confirm(world.th_officer, report, into=into)
    report.refresh_from_db()
    assert report.status == "received"
    assert not ReportLink.objects.filter(report=report, record__isnull=False).exists()
    assert not Identifier.objects.filter(owner=world.th).exists()  # all or nothing
    # Neither KH-NP's unshared record nor the hidden agency's is offered.
    offered = {o.pk for row in triage.identifier_choices(world.th_officer, report) for o in row.options}
    assert offered == {shared.pk}
    # Only the agency the report was sent to decides.
    with pytest.raises(services.NotAllowed):
        triage.confirm(world.kh_officer, report, into={shared_link.pk: shared.pk})


# Missing relatives: a registry person -------------------------------------------------------

def test_confirmed_missing_relative_is_a_protected_person_of_the_agency(world):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Hùng")
    report = missing(relative_names=f"{decomposed}\n阮文雄", birth_date="1997-11")
    officer = make_user(world.vn_mps, roles=["liaison_officer"])
    triage.confirm(officer, report)
    triage.confirm(officer, report)  # double click
    report.refresh_from_db()
    person = report.person
    assert Person.objects.filter(owner=world.vn_mps).count() == 1
    assert person.owner == world.vn_mps and person.protection == "victim"
    assert person.tlp == "AMBER" and person.distribution == "owner"
    assert [n.full_name for n in person.names.order_by("id")] == ["Nguyễn Văn Hùng", "阮文雄"]
    assert person.names.get(full_name="阮文雄").kind == "alias"
    assert person.birth_date == "1997-11"
    assert list(person.nationalities.values_list("country_id", flat=True)) == ["VN"]
    status = PersonStatus.objects.get(person=person)
    assert status.status == "missing" and status.note == "Bavet, Svay Rieng"
    phone = Identifier.objects.get(owner=world.vn_mps, normalized="+84912000000")
    assert Relationship.objects.filter(kind="uses_phone", subject_id=person.pk, object_id=phone.pk,
                                       owner=world.vn_mps).exists()
    source = report.source
    assert source.owner == world.vn_mps and source.reference == report.reference
    assert Citation.objects.filter(source=source, object_id=person.pk).exists()
    # The reporter's contact stays on the report: nothing in the registry carries it.
    stored = [person.notes, source.text, source.title, phone.notes, *person.names.values_list("full_name", flat=True)]
    assert not any(REPORTER_CONTACT in s for s in stored)
    assert not Identifier.objects.filter(normalized__icontains="mother-zz").exists()


def test_same_person_as_a_hit_only_if_the_officer_may_see_it(world, django_capture_on_commit_callbacks):
    officer = make_user(world.vn_mps, roles=["liaison_officer"])
    with django_capture_on_commit_callbacks(execute=True):
        report = missing()
    assert report.hits.filter(person=world.detained).exists()
    # KH-NP's detained national: owner only, so VN-MPS is not offered it, and cannot name it.
    assert triage.same_person_options(officer, report) == []
    with pytest.raises(services.NotAllowed):
        triage.confirm(officer, report, person=world.detained.pk)
    assert not Person.objects.filter(owner=world.vn_mps).exists()

    world.detained.distribution = "members"
    world.detained.save()
    assert [p.pk for p in triage.same_person_options(officer, report)] == [world.detained.pk]
    triage.confirm(officer, report, person=world.detained.pk)
    report.refresh_from_db()
    assert report.person == world.detained and report.status == "confirmed"
    assert not Person.objects.filter(owner=world.vn_mps).exists()  # no second record of the same person
    phone = Identifier.objects.get(owner=world.vn_mps, normalized="+84912000000")
    assert Relationship.objects.filter(subject_id=world.detained.pk, object_id=phone.pk, owner=world.vn_mps).exists()


# The officer's page ------------------------------------------------------------------------

def test_report_page_offers_visible_records_and_merges_in_one_post(client, world, shared):
    solved(client, "/public/report/scam/", what_happened="fee", identifiers=f"{SHARED_PHONE}\n{HELD_PHONE}",
           country="TH", contact="th-reporter@example.org")
    report = PublicReport.objects.get()
    login(client, world.th_officer)
    url = f"/public/officers/reports/{report.pk}/"
    page = client.get(url).content.decode()
    assert f'value="{shared.pk}"' in page and "KH-NP" in page
    assert SECRET_LABEL not in page and f'value="{world.held.pk}"' not in page
    assert "th-reporter@example.org" in page  # the triaging agency reads its reporter's contact
    shared_link, held_link = link_of(report, SHARED_PHONE), link_of(report, HELD_PHONE)
    data = {"action": "merge", f"record-{shared_link.pk}": str(shared.pk), f"record-{held_link.pk}": "new"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # double click
    assert link_of(report, SHARED_PHONE).record == shared
    assert Identifier.objects.filter(owner=world.th, normalized=HELD_PHONE).count() == 1
    assert AuditEntry.objects.filter(action="public_triage", record_id=report.pk).count() == 1
    page = client.get(url).content.decode()
    assert "1 confirmed report to your agency" in page


def test_another_agencys_officer_gets_404_and_cannot_merge(client, world, shared):
    report = scam(SHARED_PHONE, contact="th-reporter@example.org")
    link = link_of(report, SHARED_PHONE)
    login(client, world.kh_officer)
    url = f"/public/officers/reports/{report.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "merge", f"record-{link.pk}": str(shared.pk)}).status_code == 404
    report.refresh_from_db()
    assert report.status == "received" and link_of(report, SHARED_PHONE).record is None
    client.logout()
    # The triaging officer naming a record of the same value that it cannot see gets an
    # error, and nothing changes.
    held_report = scam(HELD_PHONE)
    held_link = link_of(held_report, HELD_PHONE)
    hidden = Identifier.objects.get(owner=world.secret, normalized=HELD_PHONE)
    login(client, world.th_officer)
    held_url = f"/public/officers/reports/{held_report.pk}/"
    for target in (hidden, world.held):
        response = client.post(held_url, {"action": "merge", f"record-{held_link.pk}": str(target.pk)}, follow=True)
        assert "cannot merge" in response.content.decode()
        assert SECRET_LABEL not in response.content.decode()
    held_report.refresh_from_db()
    assert held_report.status == "received" and link_of(held_report, HELD_PHONE).record is None
    assert not Identifier.objects.filter(owner=world.th).exists()


def test_missing_report_page_confirms_a_person_and_keeps_the_contact_to_the_agency(
        client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = missing()
    officer = make_user(world.vn_mps, roles=["liaison_officer"])
    login(client, officer)
    url = f"/public/officers/reports/{report.pk}/"
    page = client.get(url).content.decode()
    assert 'name="person" value="new"' in page and f'value="{world.detained.pk}"' not in page
    client.post(url, {"action": "confirm", "person": "new"})
    report.refresh_from_db()
    assert report.status == "confirmed" and report.person.owner == world.vn_mps
    page = client.get(url).content.decode()
    assert f"/persons/{report.person.pk}/" in page
    client.logout()
    # The consular agency told of the hit opens the report: no contact, no person of VN-MPS.
    login(client, world.vn_consul)
    page = client.get(url).content.decode()
    assert REPORTER_CONTACT not in page and f"/persons/{report.person.pk}/" not in page
    assert 'name="person"' not in page
    assert client.get(reverse("web:detail", args=["persons", report.person.pk])).status_code == 404
