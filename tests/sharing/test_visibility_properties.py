"""Property-based proof of the visibility rule (Hypothesis), through the ORM,
the API, the list and detail pages and the dashboard's counts.

Random worlds of agencies (members and observers), sharing groups, an
operation team (officers assigned now or departed), records with random
owners, distributions, markings, shares and retractions. For every
user, what ``visible_to`` returns, and its count, must equal what an
independent plain-Python statement of the rule says.
"""
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from rest_framework.test import APIClient
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.registry.models import Person, PersonName
from liaison.operations.models import Operation
from liaison.sharing.models import OperationAssignment, Share, SharingGroup
from tests.factories import login, make_agency, make_user

DISTRIBUTIONS = ["owner", "shared", "members", "public"]
TLPS = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]

world_strategy = st.fixed_dictionaries(
    {
        "agencies": st.lists(st.booleans(), min_size=2, max_size=5),  # is_member per agency
        "groups": st.lists(st.sets(st.integers(0, 4), max_size=3), max_size=2),
        # Users (one per agency) assigned to the operation now, and assigned but since departed.
        "assigned": st.sets(st.integers(0, 4), max_size=3),
        "departed": st.sets(st.integers(0, 4), max_size=2),
        "records": st.lists(
            st.fixed_dictionaries(
                {
                    "owner": st.integers(0, 4),
                    "distribution": st.sampled_from(DISTRIBUTIONS),
                    "tlp": st.sampled_from(TLPS),
                    "retracted": st.booleans(),
                    "share_agencies": st.sets(st.integers(0, 4), max_size=3),
                    "share_groups": st.sets(st.integers(0, 1), max_size=2),
                    "share_operation": st.booleans(),
                }
            ),
            max_size=12,
        ),
    }
)


def expected_visible(world, viewer):
    """The rule, restated independently of the implementation."""
    n = len(world["agencies"])
    groups = [{g % n for g in members} for members in world["groups"]]
    seen = set()
    for i, rec in enumerate(world["records"]):
        owner = rec["owner"] % n
        if viewer is not None and owner == viewer:
            seen.add(i)
            continue
        if rec["retracted"]:
            continue
        if rec["distribution"] == "public":
            seen.add(i)
        elif viewer is None:
            continue
        elif rec["distribution"] == "members" and world["agencies"][viewer]:
            seen.add(i)
        elif rec["distribution"] == "shared":
            direct = viewer in {a % n for a in rec["share_agencies"]}
            via_group = any(g < len(groups) and viewer in groups[g] for g in rec["share_groups"])
            on_team = rec["share_operation"] and viewer in {a % n for a in world["assigned"]}
            if direct or via_group or on_team:
                seen.add(i)
    return seen


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=world_strategy)
def test_visible_set_and_count_match_the_rule(world):
    Person.objects.all().delete()
    Share.objects.all().delete()
    OperationAssignment.objects.all().delete()
    n = len(world["agencies"])
    agencies = [make_agency(country=None, is_member=is_member) for is_member in world["agencies"]]
    users = [make_user(a) for a in agencies]
    groups = []
    for members in world["groups"]:
        g = SharingGroup.objects.create(name=f"group-{SharingGroup.objects.count()}-{id(members)}")
        g.members.set([agencies[m % n] for m in members])
        groups.append(g)
    ct = ContentType.objects.get_for_model(Person)
    operation = Operation.objects.create(owner=agencies[0], name="Op")
    for a in world["departed"]:
        OperationAssignment.objects.create(user=users[a % n], operation=operation, left_at=timezone.now())
    for a in world["assigned"]:
        OperationAssignment.objects.get_or_create(user=users[a % n], operation=operation, left_at=None)
    ids = []
    for i, rec in enumerate(world["records"]):
        p = Person.objects.create(
            owner=agencies[rec["owner"] % n], distribution=rec["distribution"], tlp=rec["tlp"],
            retracted_at=timezone.now() if rec["retracted"] else None,
        )
        PersonName.objects.create(person=p, full_name=f"Record {i}")
        for a in rec["share_agencies"]:
            if a % n != rec["owner"] % n:
                Share.objects.get_or_create(content_type=ct, object_id=p.pk, agency=agencies[a % n])
        if rec["share_operation"]:
            Share.objects.create(content_type=ct, object_id=p.pk, operation=operation)
        for g in rec["share_groups"]:
            if g < len(groups):
                Share.objects.create(content_type=ct, object_id=p.pk, group=groups[g])
        ids.append(p.pk)

    from django.contrib.auth.models import AnonymousUser

    for viewer, user in [(None, AnonymousUser())] + list(enumerate(users)):
        expected = {ids[i] for i in expected_visible(world, viewer)}
        qs = Person.objects.visible_to(user)
        assert set(qs.values_list("pk", flat=True)) == expected
        assert qs.count() == len(expected)
        # Filtering and ordering on top of visibility never widen it.
        assert set(qs.filter(names__full_name__startswith="Record").values_list("pk", flat=True)) == expected
        # The per-row form (search hits) and the form for a batch of ids (federation, interchange):
        # the same rule, for any subset of the ids, however the shares are looked up.
        from liaison.sharing.visibility import filter_visible

        some = ids[::2]
        assert set(filter_visible(Person.objects.all(), user, among=some).values_list("pk", flat=True)) == \
            expected & set(some)
        assert set(filter_visible(Person.objects.filter(pk__in=ids), user, per_row=True)
                   .values_list("pk", flat=True)) == expected
        if viewer is not None:
            check_api_and_pages(user, expected, set(ids) - expected)


def check_api_and_pages(user, expected, hidden):
    """The same set, and the same count, through the API, the list page, the
    dashboard's count, and every detail URL (404 for the hidden ones)."""
    api = login(APIClient(), user)
    body = api.get("/api/persons/", {"page_size": 200}).json()
    assert {row["id"] for row in body["results"]} == expected
    assert body["count"] == len(expected)
    web = login(Client(), user)
    page = web.get("/persons/").content.decode()
    assert re.search(rf"\b{len(expected)} records?\b", page)
    for pk in expected:
        assert f'href="/persons/{pk}/"' in page
    for pk in hidden:
        assert f'href="/persons/{pk}/"' not in page
        assert web.get(f"/persons/{pk}/").status_code == 404
        assert api.get(f"/api/persons/{pk}/").status_code == 404
    dashboard = web.get("/").content.decode()
    assert f'<span class="n">{len(expected)}</span> <span>Persons</span>' in dashboard
