"""MISP export and import: onward-sharing rules, protected identities, round trip, a partner's file."""
import json

import pytest
from django.contrib.contenttypes.models import ContentType

from liaison.audit.models import AuditEntry
from liaison.interop import misp
from liaison.matching.models import WatchlistEntry  # noqa: F401  (app loaded)
from liaison.operations.models import Event
from liaison.registry.models import Citation, Identifier, Person, Relationship
from liaison.sharing.models import Role
from tests.factories import make_agency, make_user
from tests.interop import interop_world as world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world.build()


def exported(user, event, recipient=None):
    event_obj, report = misp.export_event(user, event, recipient=recipient)
    return misp.export_json(event_obj), report


def test_export_uses_pymisp_templates_and_keeps_markings(w):
    text, report = exported(w.officer, w.event)
    event = json.loads(text)["Event"]
    objects = {o["name"]: o for o in event["Object"]}
    assert {"person", "phone-number", "coin-address", "organization"} <= set(objects)
    person = next(o for o in event["Object"] if o["name"] == "person"
                  and any(a["value"] == "Chen Wei" for a in o["Attribute"]))
    relations = {a["object_relation"]: a["value"] for a in person["Attribute"]}
    assert relations["passport-number"] == "E12345678" and relations["gender"] == "Male"
    assert relations["date-of-birth"] == "1984-06"
    tags = {t["name"] for t in person["Attribute"][0]["Tag"]}
    assert {"tlp:green", 'liaison:owner="OWN"', 'liaison:handling="H0"'} <= tags
    references = {(r["relationship_type"], r["referenced_uuid"]) for r in person["ObjectReference"]}
    assert ("uses", objects["phone-number"]["uuid"]) in references
    assert ("member-of", objects["organization"]["uuid"]) in references
    # The event is GREEN but holds the AMBER suspect (AMBER leaves within the officer's agency):
    # its tag says the strictest marking it holds.
    assert {t["name"] for t in event["Tag"]} >= {"tlp:amber", 'liaison:event-kind="raid"'}
    assert event["distribution"] == "1"  # all member agencies -> this community only
    assert AuditEntry.objects.filter(action="interop_export", detail__format="misp").exists()


def test_nothing_red_restricted_or_protected_leaves_without_a_named_recipient(w):
    text, report = exported(w.officer, w.event)
    for secret in (world.VICTIM_NAME, world.VICTIM_EMAIL, world.RED_NAME, world.H2_NAME):
        assert secret not in text
    # AMBER with no recipient named: the recipient is the officer's own agency, which sees it.
    assert "Chen Wei" in text and "+66812345678" in text and world.AMBER_NAME in text


def test_a_named_recipient_gets_amber_it_already_sees_but_no_protected_identity_it_may_not_read(w):
    text, _report = exported(w.officer, w.event, recipient=w.partner)
    assert world.AMBER_NAME in text  # shared with PARTNER
    for secret in (world.VICTIM_NAME, world.VICTIM_EMAIL, world.RED_NAME):
        assert secret not in text


def test_red_event_is_refused(w):
    Event.objects.filter(pk=w.event.pk).update(tlp="RED", distribution="owner")
    w.event.refresh_from_db()
    with pytest.raises(misp.MispError, match="TLP:RED"):
        misp.export_event(w.officer, w.event)
    assert not AuditEntry.objects.filter(action="interop_export").exists()


def test_another_agency_exports_only_what_it_sees_in_the_browser(w):
    text, _report = exported(w.outsider, w.event)
    assert "Chen Wei" in text  # distributed to all members
    for secret in (world.VICTIM_NAME, world.VICTIM_EMAIL, world.RED_NAME, world.AMBER_NAME, world.H2_NAME, "OWN-only"):
        assert secret not in text
    stranger = make_user(make_agency("STRANGER", is_member=False))
    with pytest.raises(misp.MispError):
        misp.export_event(stranger, w.event)  # an observer does not see the event at all


def test_round_trip_into_an_agency_with_no_records(w):
    text, _report = exported(w.officer, w.event)
    importer = make_user(make_agency("IMPORTER", country="MY"), roles=(Role.ANALYST,))
    report = misp.import_event(importer, text.encode(), filename="raid.misp.json")
    person = Person.objects.get(owner=importer.agency, display_name="Chen Wei")
    assert {n.full_name for n in person.names.all()} == {"Chen Wei", "陈伟"}
    assert (person.sex, person.birth_date, person.tlp) == ("male", "1984-06", "GREEN")
    assert person.distribution == "members"
    assert [d.number for d in person.documents.all()] == ["E12345678"]
    assert [n.country_id for n in person.nationalities.all()] == ["CN"]
    phone = Identifier.objects.get(owner=importer.agency, kind="phone")
    assert phone.normalized == "+66812345678"
    assert Identifier.objects.get(owner=importer.agency, kind="crypto_wallet").label == "TRC20"
    kinds = set(Relationship.objects.filter(owner=importer.agency).values_list("kind", "detail"))
    assert {("uses_phone", ""), ("holds_account", ""), ("member_of", "accountant")} <= kinds
    event = report.event
    assert (event.kind, event.title, event.date, event.place) == ("raid", w.event.title, "2025-03-02", "Myawaddy")
    assert set(event.participants.values_list("role", flat=True)) == {"suspect"}
    assert Citation.objects.filter(source=report.source, object_id=person.pk).exists()
    assert report.source.reference == "raid.misp.json"
    assert AuditEntry.objects.filter(action="interop_import", actor=importer).exists()
    with pytest.raises(misp.MispError, match="already imported"):
        misp.import_event(importer, text.encode(), filename="again.json")


PARTNER_EVENT = {
    "Event": {
        "info": "Scam call centre numbers reported by partner CERT",
        "date": "2025-05-01", "distribution": "1", "threat_level_id": "4", "analysis": "1",
        "uuid": "5f0c1b7e-8f3c-4c1e-9a55-0d4b6b3c2a10",
        "Tag": [{"name": "tlp:amber"}],
        "Attribute": [{"type": "email", "category": "Social network", "value": "recruiter@jobs-scam.example",
                       "uuid": "a1f0c1b7-8f3c-4c1e-9a55-0d4b6b3c2a11"}],
        "Object": [
            {"name": "person", "uuid": "b2f0c1b7-8f3c-4c1e-9a55-0d4b6b3c2a12", "distribution": "5",
             "Attribute": [{"object_relation": "full-name", "type": "full-name", "value": "Somchai Recruiter"},
                           {"object_relation": "role", "type": "text", "value": "Suspect"}],
             "ObjectReference": [{"referenced_uuid": "c3f0c1b7-8f3c-4c1e-9a55-0d4b6b3c2a13", "relationship_type": "uses"}]},
            {"name": "phone-number", "uuid": "c3f0c1b7-8f3c-4c1e-9a55-0d4b6b3c2a13", "distribution": "5",
             "Attribute": [{"object_relation": "phone-number", "type": "phone-number", "value": "+855 12 345 678"}]},
            {"name": "file", "uuid": "d4f0c1b7-8f3c-4c1e-9a55-0d4b6b3c2a14",
             "Attribute": [{"object_relation": "filename", "type": "filename", "value": "invoice.pdf"}]},
        ],
    }
}


def test_partner_event_imports_with_its_tlp_marking():
    importer = make_user(make_agency("TH-X", country="TH"), roles=(Role.ANALYST,))
    report = misp.import_event(importer, json.dumps(PARTNER_EVENT), filename="cert-42.json")
    person = Person.objects.get(owner=importer.agency)
    assert (person.display_name, person.tlp, person.distribution) == ("Somchai Recruiter", "AMBER", "owner")
    phone = Identifier.objects.get(owner=importer.agency, kind="phone")
    assert (phone.normalized, phone.tlp) == ("+85512345678", "AMBER")
    assert Identifier.objects.get(owner=importer.agency, kind="email").tlp == "AMBER"
    assert Relationship.objects.get(owner=importer.agency).kind == "uses_phone"
    assert report.source.tlp == "AMBER" and report.event.tlp == "AMBER"
    assert report.skipped == {"file": 1}
    location = Citation.objects.get(source=report.source, object_id=person.pk,
                                    content_type=ContentType.objects.get_for_model(Person)).location
    assert location == "object 1"


def test_bad_objects_are_all_named_by_number_and_nothing_is_imported():
    bad = json.loads(json.dumps(PARTNER_EVENT))
    bad["Event"]["Object"][0]["Attribute"] = [{"object_relation": "role", "type": "text", "value": "Suspect"}]
    bad["Event"]["Object"][1]["Attribute"][0]["value"] = "12"
    importer = make_user(make_agency("TH-Y", country="TH"), roles=(Role.ANALYST,))
    with pytest.raises(misp.MispError) as caught:
        misp.import_event(importer, json.dumps(bad), filename="bad.json")
    assert [e.split(":")[0] for e in caught.value.errors] == ["object 1 (person)", "object 2 (phone-number)"]
    assert not Person.objects.filter(owner=importer.agency).exists()
    assert not Identifier.objects.filter(owner=importer.agency).exists()
    with pytest.raises(misp.MispError, match="not JSON"):
        misp.import_event(importer, b"{nope", filename="x.json")


def test_commands_export_and_import_a_file(w, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "raid.json"
    call_command("misp_export", "--user", w.officer.username, "--event", str(w.event.pk), "-o", str(path))
    assert "Chen Wei" in path.read_text(encoding="utf-8")
    importer = make_user(make_agency("CMD", country="LA"), roles=(Role.ANALYST,))
    call_command("misp_import", str(path), "--user", importer.username)
    assert Person.objects.filter(owner=importer.agency, display_name="Chen Wei").exists()
    Event.objects.filter(pk=w.event.pk).update(tlp="RED", distribution="owner")
    with pytest.raises(CommandError, match="TLP:RED"):
        call_command("misp_export", "--user", w.officer.username, "--event", str(w.event.pk), "-o", str(path))
    ftm_path = tmp_path / "list.ftm.json"
    call_command("ftm_export", "--user", w.officer.username, "-o", str(ftm_path))
    call_command("ftm_import", str(ftm_path), "--user", importer.username, "--list", "OWN list")
    listed = Person.objects.filter(owner=importer.agency, display_name="Chen Wei", citations__source__title="OWN list")
    assert listed.exists()


def test_the_muse_handover_with_its_persons_and_phones_leaves_as_a_misp_event():
    user, event, source = world.muse_handover()
    misp_event, report = misp.export_event(user, event, source=source)
    data = json.loads(misp.export_json(misp_event))["Event"]
    persons = [o for o in data["Object"] if o["name"] == "person"]
    phones = {o["uuid"]: o for o in data["Object"] if o["name"] == "phone-number"}
    assert len(persons) == 24 and report.records["registry.person"] == 24
    names = {a["value"] for p in persons for a in p["Attribute"] if a["object_relation"] == "full-name"}
    assert {"LUO Jianhua", "ZHU Jun"} <= names
    luo = next(p for p in persons if any(a["value"] == "LUO Jianhua" for a in p["Attribute"]))
    (reference,) = luo["ObjectReference"]
    assert reference["relationship_type"] == "uses"
    phone = phones[reference["referenced_uuid"]]
    assert [a["value"] for a in phone["Attribute"] if a["object_relation"] == "phone-number"] == ["+8613027665438"]
    # The list's persons are AMBER: they leave within the exporting agency, and the event says so.
    assert {t["name"] for t in data["Tag"]} >= {"tlp:amber", 'liaison:event-kind="handover"'}
