"""Saved searches and alerts (issue 17): the story, the attacks, idempotence.

The world: CN (the Ming family's records), TH and KH, all member agencies. An
analyst of each saves the search "Ming". Records are written the way officers
write them (a save, then names; services for sharing, retraction, marking), and
the alerts run when the transaction commits, as in production.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.analysis import alerts
from liaison.analysis.models import SavedSearch, SavedSearchMatch
from liaison.operations.models import Event, Operation
from liaison.registry.models import Organisation, Person, PersonName
from liaison.requests.models import Notification
from liaison.requests.notifications import unread_count
from liaison.sharing import services
from liaison.sharing.models import Role
from tests.factories import make_agency, make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    cn, th, kh = make_agency("CN-X", "CN"), make_agency("TH-X", "TH"), make_agency("KH-X", "KH")
    users = dict(
        cn_analyst=make_user(cn), cn_officer=make_user(cn, roles=(Role.LIAISON_OFFICER,)),
        cn_colleague=make_user(cn), th_analyst=make_user(th), kh_analyst=make_user(kh),
    )
    return type("World", (), dict(cn=cn, th=th, kh=kh, **users))


def save(user, query="Ming", kind="search", **kwargs):
    return SavedSearch.objects.create(owner=user, name=f"My {query or kind}", kind=kind, query=query, **kwargs)


def notices(user):
    return list(Notification.for_user(user).filter(kind=alerts.NOTICE_KIND))


def counts(user):
    """Everything a user could count: notices, unread notices, reported records."""
    return (len(notices(user)), unread_count(user), SavedSearchMatch.objects.filter(search__owner=user).count())


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what follows the commit of the block's writes, as in production."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# The story --------------------------------------------------------------------------

def test_analyst_saves_ming_and_hears_of_a_new_ming_once(w, commit):
    saved = save(w.cn_analyst)
    with commit():
        person = make_person(w.cn, "Ming Xiaoyu")
    mine = notices(w.cn_analyst)
    assert len(mine) == 1
    assert mine[0].url == f"/persons/{person.pk}/"
    assert "My Ming" in mine[0].title and "Ming Xiaoyu" not in mine[0].title + mine[0].body
    # Written in every language; each reads it in their own.
    assert set(mine[0].texts) >= {"en", "th", "zh-hans"}
    # The notice is the analyst's, not the agency's: a colleague does not get it.
    assert notices(w.cn_colleague) == []
    # Saving the record again, adding a name, running the catch-up: nothing new.
    with commit():
        PersonName.objects.create(person=person, full_name="Ming X.", kind="alias")
        person.notes = "edited"
        person.save()
    assert alerts.run_catch_up() == (1, 0)
    assert alerts.run_catch_up() == (1, 0)
    assert len(notices(w.cn_analyst)) == 1
    assert SavedSearchMatch.objects.filter(search=saved).count() == 1
    # A record that does not match says nothing.
    with commit():
        make_person(w.cn, "Chen Wei")
        Organisation.objects.create(owner=w.cn, name="Zhao company")
    assert len(notices(w.cn_analyst)) == 1


def test_other_record_types_and_list_filters(w, commit):
    save(w.cn_analyst)
    events = save(w.cn_analyst, query="kind=raid", kind="events")
    with commit():
        org = Organisation.objects.create(owner=w.cn, name="Ming family", aliases="明家")
        op = Operation.objects.create(owner=w.cn, name="Operation Ming sweep")
        raid = Event.objects.create(owner=w.cn, kind="raid", title="Raid at the compound", operation=op)
        Event.objects.create(owner=w.cn, kind="rescue", title="Rescue")
    urls = sorted(n.url for n in notices(w.cn_analyst))
    assert urls == sorted([f"/organisations/{org.pk}/", f"/operations/{op.pk}/", f"/events/{raid.pk}/"])
    assert SavedSearchMatch.objects.filter(search=events).count() == 1


def test_many_new_matches_make_one_notice(w, commit):
    saved = save(w.cn_analyst)
    with commit():
        for i in range(alerts.NOTICE_EACH + 2):
            make_person(w.cn, f"Ming Number{i}")
    (notice,) = notices(w.cn_analyst)
    assert notice.url == f"/analysis/saved/{saved.pk}/"
    assert str(alerts.NOTICE_EACH + 2) in notice.title


# Attacks: nothing about a record the owner may not see --------------------------------

def test_another_agencys_amber_record_tells_nothing_until_shared(w, commit):
    """Attack: TH's analyst saves "Ming" and waits. CN writes an owner-only (AMBER)
    Ming: no notice, no unread count, no reported record, not on the saved
    search's page, not after the catch-up either. When CN shares it with TH,
    the notice arrives then, once."""
    saved = save(w.th_analyst)
    before = counts(w.th_analyst)
    with commit():
        person = make_person(w.cn, "Ming Secretone", tlp="AMBER")
    assert alerts.run_catch_up() == (1, 0)
    assert counts(w.th_analyst) == before
    with commit():
        services.share(w.cn_officer, person, agencies=[w.th])
    (notice,) = notices(w.th_analyst)
    assert notice.url == f"/persons/{person.pk}/"
    assert alerts.run_catch_up()[1] == 0
    assert len(notices(w.th_analyst)) == 1
    assert SavedSearchMatch.objects.filter(search=saved).count() == 1


def test_red_record_shared_with_one_agency_only(w, commit):
    save(w.th_analyst)
    save(w.kh_analyst)
    with commit():
        person = make_person(w.cn, "Ming Redone", tlp="RED")
        services.share(w.cn_officer, person, agencies=[w.kh])
    assert len(notices(w.kh_analyst)) == 1
    assert notices(w.th_analyst) == []
    alerts.run_catch_up()
    assert notices(w.th_analyst) == []


def test_protected_identity_is_never_found_by_its_name(w, commit):
    """Attack: TH saves "Ming" and CN shares a protected victim named Ming with all
    members, without the protected fields. TH may see the record but not read
    her name: a name search must not confirm it (no notice). A list of persons
    may list her (as the list page does), and then the notice names nobody."""
    save(w.th_analyst)
    listing = save(w.th_analyst, query="", kind="persons")
    with commit():
        victim = make_person(w.cn, "Ming Victimname", distribution="members", protection="victim")
    texts = notices(w.th_analyst)
    assert [n.url for n in texts] == [f"/persons/{victim.pk}/"]
    assert SavedSearchMatch.objects.get().search == listing
    for n in texts:
        assert "Victimname" not in str(n.texts) + n.title + n.body
    alerts.run_catch_up()
    assert len(notices(w.th_analyst)) == 1


def test_retracted_record_reported_when_restored(w, commit):
    save(w.th_analyst)
    with commit():
        person = make_person(w.cn, "Ming Withdrawn", distribution="members")
        services.retract(w.cn_officer, person, "wrong person")
    assert notices(w.th_analyst) == []
    alerts.run_catch_up()
    assert notices(w.th_analyst) == []
    with commit():
        services.restore(w.cn_officer, Person.objects.get(pk=person.pk))
    assert len(notices(w.th_analyst)) == 1
    alerts.run_catch_up()
    assert len(notices(w.th_analyst)) == 1


def test_distribution_widened_later(w, commit):
    save(w.th_analyst)
    with commit():
        person = make_person(w.cn, "Ming Laterwide")
    assert notices(w.th_analyst) == []
    with commit():
        services.set_marking(w.cn_officer, person, distribution="members", tlp="GREEN")
    assert len(notices(w.th_analyst)) == 1


def test_a_record_already_seen_is_no_news(w, commit):
    """A record TH could always see is not reported when CN changes its TLP or
    shares it with someone else; nor is a record older than the saved search."""
    with commit():
        old = make_person(w.cn, "Ming Oldone", distribution="members")
    saved = save(w.th_analyst)
    with commit():
        services.set_marking(w.cn_officer, old, tlp="GREEN")
        PersonName.objects.create(person=old, full_name="Ming Olderalias", kind="alias")
    assert alerts.run_catch_up() == (1, 0)
    assert notices(w.th_analyst) == []
    assert not SavedSearchMatch.objects.filter(search=saved).exists()


def test_alerts_off_then_on_starts_afresh(w, commit):
    saved = save(w.cn_analyst, alerts=False)
    with commit():
        make_person(w.cn, "Ming Whileoff")
    assert alerts.run_catch_up() == (0, 0)
    from django.utils import timezone

    SavedSearch.objects.filter(pk=saved.pk).update(alerts=True, alerts_since=timezone.now())
    assert alerts.run_catch_up() == (1, 0)
    assert notices(w.cn_analyst) == []


def test_operation_assignment_reveals_what_was_shared_with_the_team(w, commit):
    op = Operation.objects.create(owner=w.cn, name="Joint op", distribution="members")
    op.agencies.add(w.th)
    with commit():
        person = make_person(w.cn, "Ming Teamonly", distribution="shared")
        from liaison.sharing.models import Share
        from django.contrib.contenttypes.models import ContentType

        Share.objects.create(content_type=ContentType.objects.get_for_model(Person), object_id=person.pk, operation=op)
    save(w.th_analyst)
    assert notices(w.th_analyst) == []
    from liaison.sharing.models import OperationAssignment

    with commit():
        OperationAssignment.objects.create(user=w.th_analyst, operation=op)
    assert [n.url for n in notices(w.th_analyst)] == [f"/persons/{person.pk}/"]
    alerts.run_catch_up()
    assert len(notices(w.th_analyst)) == 1


# Catch-up ---------------------------------------------------------------------------

def test_catch_up_reports_bulk_loads_once(w):
    saved = save(w.cn_analyst)
    persons = Person.objects.bulk_create([Person(owner=w.cn, distribution="members") for _ in range(2)])
    PersonName.objects.bulk_create([PersonName(person=p, full_name=f"Ming Bulk{i}", search_key=f"ming bulk{i}",
                                               kind="primary") for i, p in enumerate(persons)])
    Person.objects.bulk_create([Person(owner=w.th, distribution="owner")])  # not visible to CN
    assert alerts.run_catch_up() == (1, 2)
    assert alerts.run_catch_up() == (1, 0)
    assert len(notices(w.cn_analyst)) == 2
    assert SavedSearch.objects.get(pk=saved.pk).last_run is not None


def test_inactive_owner_hears_nothing(w, commit):
    save(w.cn_analyst)
    w.cn_analyst.is_active = False
    w.cn_analyst.save()
    with commit():
        make_person(w.cn, "Ming Inactive")
    assert Notification.objects.filter(kind=alerts.NOTICE_KIND).count() == 0


def test_a_failing_evaluation_never_breaks_the_save(w, commit, monkeypatch):
    save(w.cn_analyst)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(alerts, "run_pending", broken)
    with commit():
        make_person(w.cn, "Ming Broken")
    assert Person.objects.filter(display_name="Ming Broken").exists()
    monkeypatch.undo()
    assert alerts.run_catch_up() == (1, 1)


# Cost -------------------------------------------------------------------------------

def test_queries_added_per_save_stay_few(w, commit):
    """Forty saved searches of three agencies; saving a person who matches none of
    them costs a fixed handful of queries, whatever their number."""
    for i in range(10):
        for user in (w.cn_analyst, w.th_analyst, w.kh_analyst, w.cn_colleague):
            save(user, query=f"Nomatch{i}")
    save(w.th_analyst, query="", kind="persons")  # TH cannot see CN's owner-only person: not evaluated
    person = make_person(w.cn, "Chen Nobody")
    with CaptureQueriesContext(connection) as ctx:
        alerts.run_pending(created={"registry.person": {person.pk}})
    # marking, saved searches, names
    assert len(ctx.captured_queries) <= 3, [q["sql"] for q in ctx.captured_queries]


def test_search_and_alert_agree(w):
    """The alert's conditions are the search page's: over a small registry, for
    several queries, a saved search matches exactly what the search finds."""
    from liaison.registry.models import Identifier, Site, Source
    from liaison.registry.search import RESULT_LISTS, search

    make_person(w.cn, "Ming Xuechang", "明学昌", distribution="members")
    make_person(w.cn, "Li Ming", distribution="members")
    make_person(w.cn, "Ming Hidden", distribution="members", protection="victim")
    make_person(w.th, "Somchai", distribution="members")
    Organisation.objects.create(owner=w.cn, name="Ming family", distribution="members")
    Site.objects.create(owner=w.cn, name="Ming compound", country_id="MM", distribution="members")
    Identifier.objects.create(owner=w.cn, kind="phone", value="+86 138 0013 8000", distribution="members")
    Operation.objects.create(owner=w.cn, name="Mingshan", distribution="members")
    Event.objects.create(owner=w.cn, kind="raid", title="Raid", place="Ming town", distribution="members")
    Source.objects.create(owner=w.cn, title="Report on Ming", distribution="members")
    from django.apps import apps

    from liaison.analysis import saved_queries

    for query in ("Ming", "明学昌", "ming xuechang", "+86 138 0013 8000", "13800138000", "Somchai", "Mi", "zzz"):
        saved = SavedSearch(owner=w.th_analyst, kind="search", query=query)
        found = search(w.th_analyst, query, limit=100)
        for list_name, label in zip(RESULT_LISTS, saved_queries.SEARCH_MODELS):
            model = apps.get_model(label)
            expected = sorted(r.pk for r in getattr(found, list_name))
            assert alerts.matching_ids(saved, model, exclude_reported=False) == expected, (query, label)
