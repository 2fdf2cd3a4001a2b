"""Issue 10, item 4: probing another agency's watchlist.

Before: every wanted or fugitive person was listed automatically, any record
(a protected victim included) could be listed, and a hit told the other
agency the score to four digits, so that CN-MPS could learn KH-NP's victim's
passport number one digit at a time (0.9993 no passport, 1.0 same passport,
0.9933 another one). Now only records their owner flags are watched (never a
protected identity), a hit says "strong" or "possible", and an agency making
too many hits against one agency's watchlist in a day gets no more hits; the
watchlisting agency's administrators are told.
"""
import json
import re
from datetime import timedelta

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from liaison.audit.models import AuditEntry
from liaison.matching import services
from liaison.matching.models import HitNotice, ProbeCount, WatchlistEntry
from liaison.registry.models import IdentityDocument, Person
from liaison.requests.models import Notification, Request
from liaison.sharing.models import Role
from tests.factories import login, make_person, make_user

from .conftest import SECRET_PASSPORT

pytestmark = pytest.mark.django_db

# What the old code printed of a score: "score 0.99", "1.00", or 0.9993 in the API.
SCORE = re.compile(r"\b[01]\.\d{2,}\b")


@pytest.fixture(autouse=True)
def keys(world):
    """The blocking keys of the world's records, as the nightly run leaves them."""
    services.refresh_all_keys()


def flag(world):
    """KH-NP's analyst puts its fugitive on the watchlist."""
    if not WatchlistEntry.objects.filter(person=world.kh_wanted, removed_at__isnull=True).exists():
        services.add_to_watchlist(world.kh_analyst, world.kh_wanted, "Warrant KH-2024-118")


def probe(world, *, passport=None, name="Chen Zhihua", born="1979"):
    """CN-MPS enters a record shaped like KH-NP's hidden fugitive; matched as on arrival."""
    person = make_person(world.cn, name, sex="male", birth_date=born)
    if passport:
        IdentityDocument.objects.create(person=person, number=passport, country_id="KH")
    services.match_persons([person.pk])
    return person


def cn_sees(world, client):
    """Everything CN-MPS's analyst can read about hits: API, pages, inbox, its audit trail."""
    api = login(APIClient(), world.cn_analyst)
    rows = api.get("/api/matching/hits/").json()["results"]
    login(client, world.cn_analyst)
    texts = [json.dumps(rows), client.get("/matching/hits/").content.decode(), client.get("/requests/inbox/").content.decode()]
    texts += [client.get(f"/matching/hits/{row['id']}/").content.decode() for row in rows]
    texts += [json.dumps(e.detail) for e in AuditEntry.objects.filter(owner_agency=world.cn)]
    return rows, texts


@pytest.fixture
def kh_victim(world):
    """KH-NP's own victim, for its eyes only, identity protected."""
    victim = make_person(world.kh, "Chen Zhihua", sex="male", birth_date="1979", protection="victim")
    IdentityDocument.objects.create(person=victim, number=SECRET_PASSPORT, country_id="KH")
    return victim


def test_a_protected_victim_cannot_be_put_on_the_watchlist(world, kh_victim, client):
    with pytest.raises(services.MatchingError, match="protected"):
        services.add_to_watchlist(world.kh_analyst, kh_victim, "Missing since May")
    assert not WatchlistEntry.objects.filter(person=kh_victim).exists()
    login(client, world.kh_analyst)
    page = client.get(f"/persons/{kh_victim.pk}/").content.decode()
    assert "Put on the watchlist" not in page and "cannot be put on the watchlist" in page
    client.post(f"/matching/watchlist/add/{kh_victim.pk}/", {"reason": "Missing since May"})
    assert not WatchlistEntry.objects.filter(person=kh_victim).exists()


def test_a_listed_victim_never_answers_a_probe(world, kh_victim):
    # A listing made before the rule (or a record made protected after it was listed).
    WatchlistEntry.objects.create(person=kh_victim, agency=world.kh, reason="Missing since May")
    for passport in (None, SECRET_PASSPORT, "ZZSECRET998", "ZZSECRET899"):
        probe(world, passport=passport)
    assert not HitNotice.objects.exists()
    assert not Notification.objects.filter(kind="watchlist_hit").exists()


def test_wanted_persons_are_on_the_watchlist_only_when_their_owner_flags_them(world, client):
    services.run_batch()
    probe(world, name="陈志华")
    assert not WatchlistEntry.objects.filter(person=world.kh_wanted).exists()  # wanted, fugitive: not listed by itself
    assert not HitNotice.objects.exists()
    login(client, world.kh_analyst)
    client.post(f"/matching/watchlist/add/{world.kh_wanted.pk}/", {"reason": "Warrant KH-2024-118"})
    entry = WatchlistEntry.objects.get(person=world.kh_wanted, removed_at__isnull=True)
    assert (entry.listed_by, entry.reason, entry.automatic) == (world.kh_analyst, "Warrant KH-2024-118", False)
    listed = AuditEntry.objects.get(action="watchlist_add")
    assert (listed.record_id, listed.owner_agency, listed.actor, listed.detail["reason"]) == (
        world.kh_wanted.pk, world.kh, world.kh_analyst, "Warrant KH-2024-118")
    services.run_batch()
    assert HitNotice.objects.filter(watched=world.kh_wanted, matched_agency=world.cn).exists()
    client.post(f"/matching/watchlist/{entry.pk}/remove/")
    assert WatchlistEntry.objects.get(pk=entry.pk).removed_at is not None
    assert AuditEntry.objects.filter(action="watchlist_remove", record_id=world.kh_wanted.pk, owner_agency=world.kh).exists()


def test_the_probing_agency_is_told_a_band_never_the_score(world, client):
    flag(world)
    # One digit at a time: no passport, the right one, a wrong one.
    probes = [probe(world), probe(world, passport=SECRET_PASSPORT), probe(world, passport="ZZSECRET998")]
    notices = list(HitNotice.objects.filter(matched__in=probes))
    assert len(notices) == 3 and len({round(n.score, 4) for n in notices}) == 3  # the matcher does tell them apart…
    rows, texts = cn_sees(world, client)
    assert sorted(row["own_person"] for row in rows) == sorted(p.pk for p in probes)
    # …CN-MPS is told the same thing of each.
    assert {(row["band"], row["message"], row["other_agency"]) for row in rows} == {
        ("strong", "Your record matched a watchlisted record held by KHNP-T: strong match", "KHNP-T")}
    assert all("score" not in row for row in rows)
    for text in texts:
        assert not SCORE.search(text), SCORE.search(text)
        assert SECRET_PASSPORT not in text and "ZZSECRET" not in text
    titles = [n.title for n in Notification.for_user(world.cn_analyst)]
    assert titles == ["Watchlist hit: your record matched a watchlisted record held by KHNP-T: strong match"] * 3
    # The draft request for details says the band too.
    services.request_details(world.cn_liaison, notices[0])
    draft = Request.objects.get()
    assert not SCORE.search(draft.title + draft.body + json.dumps(draft.fields))


def test_the_watchlisting_agency_sees_the_band_too(world, client):
    flag(world)
    probe(world, name="Chen Zhihua", born="")
    notice = HitNotice.objects.get()
    assert notice.band == "possible"
    login(client, world.kh_analyst)
    page = client.get(f"/matching/hits/{notice.pk}/").content.decode()
    assert "possible match" in page and not SCORE.search(page)
    assert [n.title for n in Notification.for_user(world.kh_analyst)] == [
        "Watchlist hit: your watchlisted record matched a record held by MPS-T: possible match"]
    assert AuditEntry.objects.get(action="watchlist_hit", owner_agency=world.kh).detail["band"] == "possible"


@override_settings(MATCH_PROBE_LIMIT=3)
def test_too_many_hits_in_a_day_stop_and_the_watchlisting_agency_is_warned(world, client):
    kh_admin = make_user(world.kh, roles=(Role.AGENCY_ADMIN,), username="t_kh_admin")
    flag(world)
    probes = [probe(world, passport=f"ZZSECRET{n:03d}") for n in range(6)]
    assert HitNotice.objects.filter(matched_agency=world.cn).count() == 3
    assert set(HitNotice.objects.values_list("matched", flat=True)) == {p.pk for p in probes[:3]}
    # KH-NP's administrators are warned once, naming the agency; nobody at CN-MPS is told anything.
    alerts = Notification.objects.filter(kind="watchlist_probing")
    assert [(a.agency, a.user) for a in alerts] == [(world.kh, kh_admin)]
    assert "MPS-T" in alerts[0].title and "watchlist" in alerts[0].title.lower()
    assert AuditEntry.objects.filter(action="watchlist_probing", owner_agency=world.kh).count() == 1
    rows, texts = cn_sees(world, client)
    assert len(rows) == 3
    for text in texts:
        assert "held back" not in text and "probing" not in text.lower()
    assert not AuditEntry.objects.filter(owner_agency=world.cn, action="watchlist_probing").exists()
    assert not Notification.objects.filter(agency=world.cn, kind="watchlist_probing").exists()
    # Editing a record that already hit counts as another probe: its notice is not rescored.
    held = HitNotice.objects.get(matched=probes[0])
    IdentityDocument.objects.filter(person=probes[0]).update(number=SECRET_PASSPORT)
    services.match_persons([probes[0].pk])
    assert HitNotice.objects.get(pk=held.pk).score == held.score
    assert Notification.objects.filter(kind="watchlist_probing").count() == 1  # once a day
    # The next day the held-back hits come through the nightly run.
    ProbeCount.objects.update(day=ProbeCount.objects.first().day - timedelta(days=1))
    services.run_batch()
    assert HitNotice.objects.filter(matched_agency=world.cn).count() == 6
    assert HitNotice.objects.get(pk=held.pk).band == "strong"


@override_settings(MATCH_PROBE_LIMIT=2)
def test_the_watchlisting_agency_cannot_probe_the_other_way_round(world):
    """Editing one's own watched record to learn another agency's matching record is probing too."""
    for i in range(3):
        make_person(world.cn, "Chen Zhihua", sex="male", birth_date="1979", distribution="members")
    services.refresh_all_keys()
    cn_admin = make_user(world.cn, roles=(Role.AGENCY_ADMIN,), username="t_cn_admin")
    flag(world)
    services.match_persons([world.kh_wanted.pk])
    assert HitNotice.objects.filter(watched=world.kh_wanted).count() == 2
    alert = Notification.objects.get(kind="watchlist_probing")
    assert (alert.agency, alert.user, "KHNP-T" in alert.title) == (world.cn, cn_admin, True)


def test_an_unchanged_nightly_run_does_not_count_as_probing(world):
    flag(world)
    probe(world)
    before = ProbeCount.objects.get().hits
    with override_settings(MATCH_PROBE_LIMIT=before):
        for _night in range(3):
            services.run_batch()
    assert ProbeCount.objects.get().hits == before
    assert not Notification.objects.filter(kind="watchlist_probing").exists()
    assert Person.objects.filter(pk__in=HitNotice.objects.values("matched")).count() == 1
