"""The done-when of issue 15 for STIX: the Muse handover leaves as a bundle the validator
accepts, and the demo exported and imported into an agency holding nothing comes back whole."""
import io
import json
from collections import Counter

import pytest

from liaison.interop import stix
from liaison.operations.models import Event
from liaison.sharing.models import User
from tests.factories import make_agency, make_user
from tests.interop.interop_world import muse_handover
from tests.interop.stixcheck import validate_bundle

pytestmark = pytest.mark.django_db


def test_the_muse_handover_with_its_persons_and_phones_is_a_valid_bundle():
    user, _event, source = muse_handover()
    out = io.StringIO()
    stix.export_bundle(user, out, selection=stix.selection_for(source=source))
    bundle = validate_bundle(out.getvalue())
    types = Counter(o["type"] for o in bundle["objects"])
    persons = [o for o in bundle["objects"] if o["type"] == "identity" and o.get("identity_class") == "individual"]
    assert len(persons) == 24  # the first 24 rows of the list (interop_world.muse_handover)
    assert types["phone-number"] >= 5 and types["relationship"] == types["phone-number"]
    luo = next(p for p in persons if p["name"] == "LUO Jianhua")
    quoted = luo["external_references"][0]
    assert quoted["source_name"] == "handover_muse_synthetic.csv" and "LUO Jianhua" in quoted["description"]
    phone = next(o for o in bundle["objects"] if o["type"] == "phone-number" and o["value"] == "+8613027665438")
    assert any(r["source_ref"] == luo["id"] and r["target_ref"] == phone["id"] for r in bundle["objects"]
               if r["type"] == "relationship")


def comparable(bundle):
    """What the format carries of each object, without what differs by nature between two
    deployments (ids, owners, dates of writing, the bundle's own citation)."""
    keep = Counter()
    for obj in bundle["objects"]:
        if obj["type"] in ("extension-definition", "marking-definition") or obj.get("identity_class") in ("system",):
            continue
        ext = dict(obj.get("extensions", {}).get(stix.RECORD_EXTENSION, {}))
        if ext.get("liaison_type") == "agency":
            continue
        for key in ("owner", "distribution", "citations", "location_ref", "operator_ref", "site_ref", "operation_ref",
                    "case_ref", "participants", "synthetic"):
            ext.pop(key, None)
        plain = {k: v for k, v in obj.items() if k not in (
            "id", "created", "modified", "created_by_ref", "extensions", "external_references", "source_ref",
            "target_ref", "object_refs")}
        keep[repr(sorted({**plain, **{f"x_{k}": repr(v) for k, v in ext.items()}}.items()))] += 1
    return keep


def demo_slice(user, persons=30):
    """Every event, operation, case, organisation and site of the demo that ``user`` sees, the
    persons taking part in the events and the first ``persons`` others, with the identifiers
    linked to them and the links among them all: every kind of object the demo holds, without
    the hundreds of synthetic persons that add nothing to the comparison but minutes."""
    from liaison.interop.misp import _widen
    from liaison.operations.models import Case, Operation
    from liaison.registry.models import Organisation, Person, Site

    ids = {model: set(model.objects.visible_to(user).values_list("pk", flat=True))
           for model in (Event, Operation, Case, Organisation, Site)}
    ids[Person] = set(Person.objects.visible_to(user).order_by("pk").values_list("pk", flat=True)[:persons])
    ids[Person] |= set(Event.objects.visible_to(user).values_list("participants__person_id", flat=True)) - {None}
    return _widen(stix.Selection(ids))


def test_demo_round_trip_into_an_agency_holding_nothing_loses_nothing_stix_carries(demo):
    analyst = User.objects.get(username="cn.analyst")
    out = io.StringIO()
    exported = stix.export_bundle(analyst, out, selection=demo_slice(analyst))
    kinds = Counter(o["type"] for o in json.loads(out.getvalue())["objects"])
    assert all(kinds[t] for t in ("threat-actor", "infrastructure", "location", "incident", "grouping", "relationship",
                                  "phone-number", "email-addr", "user-account", "cryptocurrency-wallet")), kinds
    first = validate_bundle(out.getvalue())
    newcomer = make_user(make_agency("NEWX", "SG"))
    report = stix.import_bundle(newcomer, out.getvalue(), name="demo.json")
    assert sum(report.created.values()) == sum(exported.records.values()) - report.skipped["identity (protected, withheld)"]
    again = io.StringIO()
    owned = stix.Selection({model: set(model.objects.filter(owner=newcomer.agency).values_list("pk", flat=True))
                            for model in stix._models()})
    stix.export_bundle(newcomer, again, selection=owned)  # what it imported, not what members share with it
    second = json.loads(again.getvalue())  # the same writer as the first, which the validator checked
    before, after = comparable(first), comparable(second)
    # Persons exported without their identity (protected, not granted) cannot come back.
    withheld = {k for k in before if "x_protected" in k}
    # As sets: two agencies' records of one phone number become one record of the importing agency.
    missing, extra = set(before) - withheld - set(after), set(after) - set(before)
    assert missing == set() and extra == set(), (sorted(missing)[:5], sorted(extra)[:5])
    muse = Event.objects.get(owner=newcomer.agency, kind=Event.Kind.HANDOVER, place="Muse")
    assert muse.figures.get().value == 571 and muse.citations.filter(evidence__contains="571").exists()
