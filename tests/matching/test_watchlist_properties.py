"""Watchlist probing, checked by Hypothesis over random worlds (issue 10, item 4).

Like tests/sharing/test_visibility_properties.py for records: random
watchlisted (or not) records of three agencies, protected or not, and a
random sequence of probes: records entered by any agency that imitate a
watched record more or less well (same passport, another passport, no date
of birth, another year, someone else), and owners re-matching their own
watched records. For every world, what each agency is shown must equal what an
independent statement of the rules says:

- a hit only against a record its owner listed, never a protected identity,
  never between two records of one agency;
- each agency sees its own side of each hit, the other agency and the band,
  which is a function of the matcher's evidence on who the person is (never of a
  document or identifier number, which a prober could be guessing); never the score;
- at most ``MATCH_PROBE_LIMIT`` hits a day between one probing agency and
  another; past it, nothing for the prober and one warning for the other.
"""
import json
import re

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from liaison.audit.models import AuditEntry
from liaison.linkage import Matcher
from liaison.matching import records, services
from liaison.matching.models import CandidatePair, HitNotice, MatchKey, ProbeCount, WatchlistEntry
from liaison.registry.models import IdentityDocument, Person
from liaison.requests.models import Notification
from liaison.sharing.models import Role
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db

SCORE = re.compile(r"\b[01]\.\d{2,}\b")
# name, date of birth, passport: one line per possible watched record
TARGETS = [("Chen Zhihua", "1979", "N07100000"), ("Lin Guodong", "1983-04", "N07100137"), ("Zheng Haifeng", "1975-11-02", "N07100274")]
VARIATIONS = ["same", "same_passport", "other_passport", "no_dob", "other_year", "someone_else"]

# Biased towards worlds where something happens: listed records, probes more often than rechecks.
probes = st.fixed_dictionaries({"probe": st.integers(0, 2), "target": st.sampled_from([0, 0, 1, 2]),
                                "variation": st.sampled_from(VARIATIONS), "distribution": st.sampled_from(["owner", "members"])})
worlds = st.fixed_dictionaries({
    "limit": st.integers(1, 3),
    "targets": st.lists(st.fixed_dictionaries({
        "owner": st.integers(0, 2),
        "listed": st.sampled_from([True, True, False]),
        "protected": st.sampled_from([False, False, True]),
        "distribution": st.sampled_from(["owner", "members"]),
    }), min_size=1, max_size=3),
    "events": st.lists(st.one_of(
        probes, probes, probes,
        st.fixed_dictionaries({"recheck": st.integers(0, 2)}),  # the owner changes its watched record
    ), min_size=1, max_size=8),
})


def probe_fields(target, variation):
    name, born, passport = TARGETS[target]
    return {
        "same": (name, born, None),
        "same_passport": (name, born, passport),
        "other_passport": (name, born, passport[:-1] + str((int(passport[-1]) + 1) % 10)),
        "no_dob": (name, "", None),
        "other_year": (name, str(int(born[:4]) + 1) + born[4:], None),
        "someone_else": ("Nguyen Van An", "1990", None),
    }[variation]


@pytest.fixture
def agencies(db):
    agencies = [make_agency(f"PR{i}", "KH") for i in range(3)]
    analysts = [make_user(a) for a in agencies]
    admins = [make_user(a, roles=(Role.AGENCY_ADMIN,)) for a in agencies]
    return agencies, analysts, admins


def test_watchlist_probes_tell_each_agency_only_the_band_within_the_limit(agencies):
    agencies, analysts, admins = agencies
    matcher = Matcher.default()

    @given(world=worlds)
    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    def check(world):
        for model in (HitNotice, WatchlistEntry, ProbeCount, Notification, CandidatePair, MatchKey, Person):
            model.objects.all().delete()
        AuditEntry.objects.filter(action__in=["watchlist_hit", "watchlist_probing"]).delete()
        with override_settings(MATCH_PROBE_LIMIT=world["limit"]):
            run(world)

    def run(world):
        targets = []
        for i, spec in enumerate(world["targets"]):
            name, born, passport = TARGETS[i]
            person = make_person(agencies[spec["owner"]], name, birth_date=born, distribution=spec["distribution"],
                                 protection="victim" if spec["protected"] else "")
            IdentityDocument.objects.create(person=person, number=passport, country_id="KH")
            if spec["listed"] and spec["protected"]:  # listed before the rule, or protected since
                WatchlistEntry.objects.create(person=person, agency=person.owner, reason="old listing")
            elif spec["listed"]:
                services.put_on_watchlist(person, "warrant")
            targets.append(person)
        services.refresh_all_keys()
        recs = records.load([p.pk for p in targets])

        # The rule, restated: which comparisons hit, counted per (probing agency, other agency).
        counts, expected, suppressed, probes = {}, {}, set(), []

        def consider(watched, matched, prober, other, score):
            if score.probability < services.hit_threshold():
                return
            key = (prober, other)
            if counts.get(key, 0) >= world["limit"]:
                suppressed.add(key)
                return
            counts[key] = counts.get(key, 0) + 1
            expected[(watched.pk, matched.pk)] = services.band_of_score(score)

        def watchable(i):
            spec = world["targets"][i]
            return spec["listed"] and not spec["protected"]

        for event in world["events"]:
            if "probe" in event:
                target = event["target"] % len(targets)
                name, born, passport = probe_fields(target, event["variation"])
                person = make_person(agencies[event["probe"]], name, birth_date=born, distribution=event["distribution"])
                if passport:
                    IdentityDocument.objects.create(person=person, number=passport, country_id="KH")
                rec = records.load([person.pk])[person.pk]
                for i, t in enumerate(targets):
                    if watchable(i) and t.owner_id != person.owner_id:
                        consider(t, person, person.owner_id, t.owner_id, matcher.score(rec, recs[t.pk]))
                probes.append((person, rec))
                services.match_persons([person.pk])
            else:
                i = event["recheck"] % len(targets)
                t = targets[i]
                if watchable(i):
                    for person, rec in probes:  # in the order the implementation meets them
                        if person.owner_id != t.owner_id:
                            consider(t, person, t.owner_id, person.owner_id, matcher.score(rec, recs[t.pk]))
                services.match_persons([t.pk])

        made = {(h.watched_id, h.matched_id): h.band for h in HitNotice.objects.all()}
        assert made == expected
        for h in HitNotice.objects.select_related("watched"):
            assert h.watched.protection == "" and h.watched_agency_id != h.matched_agency_id
        # One warning per (probing agency, other agency) held back, to the other agency only.
        warned = {(e.detail["prober"], e.owner_agency_id) for e in AuditEntry.objects.filter(action="watchlist_probing")}
        short = {a.pk: a.short_name for a in agencies}
        assert warned == {(short[p], o) for p, o in suppressed}
        assert AuditEntry.objects.filter(action="watchlist_probing").count() == len(suppressed)
        alerts = list(Notification.objects.filter(kind="watchlist_probing"))
        assert sorted((n.agency_id, n.user_id) for n in alerts) == sorted(
            (o, admins[[a.pk for a in agencies].index(o)].pk) for _p, o in suppressed)

        for agency, analyst in zip(agencies, analysts):
            check_agency_view(agency, analyst, targets, expected)

    def check_agency_view(agency, analyst, targets, expected):
        mine = []
        for (w, m), band in expected.items():
            for own, other in ((w, m), (m, w)):
                owner = Person.objects.get(pk=own).owner
                if owner == agency:
                    mine.append((own, Person.objects.get(pk=other).owner.short_name, band))
        api = login(APIClient(), analyst)
        rows = api.get("/api/matching/hits/", {"page_size": 100}).json()["results"]
        assert sorted((r["own_person"], r["other_agency"], r["band"]) for r in rows) == sorted(mine)
        assert all("score" not in r for r in rows)
        web = login(Client(), analyst)
        texts = [json.dumps(rows), web.get("/matching/hits/").content.decode(), web.get("/requests/inbox/").content.decode()]
        texts += [json.dumps(e.detail) for e in AuditEntry.objects.filter(owner_agency=agency)]
        for text in texts:
            assert not SCORE.search(text), SCORE.search(text)
            for t in targets:
                if t.owner_id != agency.pk:
                    assert f"/persons/{t.pk}/" not in text
        assert "probing" not in texts[1].lower()

    check()
