"""Screening, checked by Hypothesis over random worlds (the watchlist worlds of
tests/matching/test_watchlist_properties.py, with a border post as a new shape).

Random records of three agencies (listed or not, protected or not, kept to
the owner or distributed to members, written in Han, Latin or Thai script)
and a screener of one of them or of a fourth, border agency, who screens
travellers imitating them more or less well (the same name in another
script, the same passport, another year, someone else) under a random daily
limit. For every world, what the screener is answered must follow the rules:

- a hit (shown or withheld) only on a record its owner listed, never a
  protected identity;
- the answer names, for a hit, the agency and the reference; the record only
  when the screener may read it anyway; never a name, passport or person
  link of a record the screener may not see, never a score;
- at most the limit of shown hits a day between the screener's agency and
  another agency; a listed record written in another script, with its birth
  date, still hits (withheld past the limit).
"""
import json
import re

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from liaison.matching import services as matching
from liaison.matching.models import WatchlistEntry
from liaison.registry.models import IdentityDocument, Person, PersonName
from liaison.requests.models import Notification
from liaison.screening.models import Screening, ScreeningHit, ScreeningKey, ScreeningProbeCount
from liaison.sharing.models import Role
from tests.factories import login, make_agency, make_user

pytestmark = pytest.mark.django_db

SCORE = re.compile(r"\b0\.\d{2,}\b")
# One line per possible watched record: how it is registered, how a traveller may write it, born, passport.
TARGETS = [
    (["明学昌", "Ming Xuechang"], "หมิง เสวียชาง", "1955-03-14", "N07100000"),
    (["ဇော်မင်းထွန်း"], "ZAW MIN HTUN", "1988-07-21", "N07100137"),
    (["សុខ ដារា", "Sok Dara"], "索达拉", "1990-03-12", "N07100274"),
]
VARIATIONS = ["other_script", "same_passport", "other_year", "someone_else"]

worlds = st.fixed_dictionaries({
    "limit": st.integers(1, 3),
    "screener": st.integers(0, 3),  # 3: a border agency holding no record
    "targets": st.lists(st.fixed_dictionaries({
        "owner": st.integers(0, 2),
        "listed": st.sampled_from([True, True, False]),
        "protected": st.sampled_from([False, False, True]),
        "distribution": st.sampled_from(["owner", "members"]),
    }), min_size=1, max_size=3),
    "travellers": st.lists(st.fixed_dictionaries({
        "target": st.integers(0, 2), "variation": st.sampled_from(VARIATIONS)}), min_size=1, max_size=6),
})


def traveller(target, variation):
    _registered, written, born, passport = TARGETS[target]
    return {
        "other_script": {"name": written, "birth_date": born},
        "same_passport": {"name": written, "birth_date": born, "document": passport},
        "other_year": {"name": written, "birth_date": str(int(born[:4]) + 7) + born[4:]},
        "someone_else": {"name": "Nguyen Van An", "birth_date": "1990"},
    }[variation]


@pytest.fixture
def post(db):
    agencies = [make_agency(f"SP{i}", "KH") for i in range(3)] + [make_agency("SPB", "TH", kind="immigration")]
    screeners = [make_user(a, roles=(Role.SCREENER,)) for a in agencies]
    return agencies, screeners


def test_a_screener_is_answered_only_what_the_rules_allow(post):
    agencies, screeners = post

    @given(world=worlds)
    @settings(max_examples=10, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    def check(world):
        for model in (ScreeningHit, Screening, ScreeningProbeCount, Notification, WatchlistEntry, ScreeningKey, Person):
            model.objects.all().delete()
        with override_settings(SCREENING_PROBE_LIMIT=world["limit"]):
            run(world)

    def run(world):
        targets = []
        for i, spec in enumerate(world["targets"]):
            names, _written, born, passport = TARGETS[i]
            person = Person.objects.create(owner=agencies[spec["owner"]], distribution=spec["distribution"],
                                           birth_date=born, protection="victim" if spec["protected"] else "")
            for k, name in enumerate(names):
                PersonName.objects.create(person=person, full_name=name, kind="primary" if k == 0 else "alias")
            IdentityDocument.objects.create(person=person, number=passport, country_id="KH")
            if spec["listed"] and spec["protected"]:  # listed before the rule, or protected since
                WatchlistEntry.objects.create(person=person, agency=person.owner, reason="old listing")
            elif spec["listed"]:
                matching.put_on_watchlist(person, "warrant")
            targets.append(person)
        screener = screeners[world["screener"]]
        sent = [traveller(t["target"] % len(targets), t["variation"]) for t in world["travellers"]]
        response = login(APIClient(), screener).post("/api/screen", {"travellers": sent}, format="json")
        assert response.status_code == 200, response.content
        text = response.content.decode()
        data = response.json()

        watchable = {t.pk for t, spec in zip(targets, world["targets"]) if spec["listed"] and not spec["protected"]}
        readable = set(matching.judgeable_persons(screener).values_list("pk", flat=True))
        hits = list(ScreeningHit.objects.all())
        assert {h.watched_id for h in hits} <= watchable  # shown or withheld: never protected, never unlisted
        # Every traveller who is a listed record (its name in another script, its birth date) is caught.
        for line, t in enumerate(world["travellers"], start=1):
            target = targets[t["target"] % len(targets)]
            if t["variation"] in ("other_script", "same_passport") and target.pk in watchable:
                assert any(h.line == line and h.watched_id == target.pk for h in hits), (line, t)
        # Shown hits within the day's limit per other agency; the screener's own records are not counted.
        shown = [h for h in hits if not h.withheld]
        for other in agencies:
            if other != screener.agency:
                assert sum(h.watched_agency_id == other.pk for h in shown) <= world["limit"]
        assert data["hits"] == len({h.line for h in shown})
        by_reference = {h.reference: h for h in hits}
        for row in data["results"]:
            for hit in row["hits"]:
                h = by_reference[hit["reference"]]
                assert not h.withheld and hit["agency"] == h.watched_agency.short_name
                assert hit["record"] == (h.watched_id if h.watched_id in readable else None)
        assert not SCORE.search(text)
        for target, (names, _written, _born, passport) in zip(targets, TARGETS):
            if target.pk not in readable:
                for secret in (*names, passport, f"/persons/{target.pk}/"):
                    assert secret not in text, secret
                assert f'"record": {target.pk}' not in json.dumps(data)

    check()
