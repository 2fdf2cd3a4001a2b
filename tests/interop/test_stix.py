"""STIX 2.1 export and import: what a partner's platform receives, and what comes back."""
import io
import json

import pytest
from django.contrib.contenttypes.models import ContentType

from liaison.audit.models import AuditEntry
from liaison.core.models import TLP
from liaison.interop import stix
from liaison.registry.models import Identifier, Person, Relationship
from liaison.sharing.models import Share
from tests.factories import make_agency, make_person, make_user
from tests.interop.stixcheck import validate_bundle

pytestmark = pytest.mark.django_db


def export(user, **kwargs):
    out = io.StringIO()
    report = stix.export_bundle(user, out, **kwargs)
    return report, out.getvalue()


def link(person, identifier, kind="uses_phone", **marking):
    return Relationship.objects.create(
        owner=person.owner, kind=kind, subject_type=ContentType.objects.get_for_model(Person), subject_id=person.pk,
        object_type=ContentType.objects.get_for_model(Identifier), object_id=identifier.pk, **marking)


@pytest.fixture
def world():
    """Agency CN owns a suspect with a phone (shared with TH), a victim with an e-mail address
    (shared with TH without her identity), and a TLP:RED informant shared with TH."""
    cn, th, vn = make_agency("CNX", "CN"), make_agency("THX", "TH"), make_agency("VNX", "VN")
    suspect = make_person(cn, "Zhang Wei", "张伟", distribution="shared", tlp=TLP.AMBER, handling="H2", accuracy="2")
    phone = Identifier.objects.create(owner=cn, kind="phone", value="+86 139 1234 5678", distribution="shared")
    victim = make_person(cn, "Nguyen Thi Secret", distribution="shared", protection="victim", birth_date="1999-02-03")
    email = Identifier.objects.create(owner=cn, kind="email", value="secret.victim@example.org", distribution="shared")
    red = make_person(cn, "Red Informant Name", distribution="shared", tlp=TLP.RED)
    rels = [link(suspect, phone, distribution="shared"), link(victim, email, "uses_handle", distribution="shared")]
    for record in (suspect, phone, victim, email, red, *rels):
        Share.objects.create(content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk, agency=th)
    return {"cn": make_user(cn), "th": make_user(th), "vn": make_user(vn), "th_agency": th, "suspect": suspect,
            "victim": victim, "red": red}


def test_owner_export_is_valid_stix_with_tlp2_markings_and_the_liaison_extension(world):
    report, text = export(world["cn"])
    bundle = validate_bundle(text)
    by_type = {}
    for obj in bundle["objects"]:
        by_type.setdefault(obj["type"], []).append(obj)
    person = next(o for o in by_type["identity"] if o["name"] == "Zhang Wei")
    assert person["object_marking_refs"] == [stix.TLP_MARKINGS["AMBER"]]
    ext = person["extensions"][stix.RECORD_EXTENSION]
    assert (ext["handling"], ext["accuracy"], ext["owner"]) == ("H2", "2", "CNX")
    assert {n["full_name"] for n in ext["names"]} == {"Zhang Wei", "张伟"}
    phone = by_type["phone-number"][0]
    assert phone["value"] == "+8613912345678" and stix.IDENTIFIER_EXTENSION in phone["extensions"]
    assert any(r["relationship_type"] == "uses-phone" and r["source_ref"] == person["id"]
               and r["target_ref"] == phone["id"] for r in by_type["relationship"])
    # TLP:RED never leaves Liaison, not even for its owner; with no recipient named, neither
    # does a protected identity, nor the e-mail address and link that would name her.
    for secret in ("Red Informant Name", "Nguyen Thi Secret", "secret.victim@example.org"):
        assert secret not in text
    assert report.records["registry.person"] == 2  # the suspect, and the victim as "withheld"
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.INTEROP_EXPORT).get()
    assert entry.detail["records"] == 4 and entry.detail["format"] == "stix"
    # Naming the recipient (here its own agency, which may read her) lets her identity leave.
    _report, text = export(world["cn"], recipient=world["suspect"].owner)
    assert "Nguyen Thi Secret" in text and "secret.victim@example.org" in text and "Red Informant Name" not in text


def test_recipient_gets_no_protected_identity_and_nothing_it_cannot_see(world):
    _report, text = export(world["th"])
    bundle = validate_bundle(text)
    raw = text.encode()
    for secret in ("Nguyen Thi Secret", "secret.victim@example.org", "1999-02-03", "Red Informant Name"):
        assert secret.encode() not in raw, secret
    victim = [o for o in bundle["objects"] if o.get("extensions", {}).get(stix.RECORD_EXTENSION, {}).get("protected")]
    assert len(victim) == 1 and victim[0]["name"] == "[protected identity withheld]"
    # The suspect is CN's and marked H2 (no onward sharing without the owner's permission):
    # TH sees him in the browser, but only CN may send him out of Liaison.
    assert "Zhang Wei" not in text and "张伟" not in text
    # Another agency that was given nothing gets nothing but the bundle's fixed definitions.
    _report, text = export(world["vn"])
    assert {o["type"] for o in validate_bundle(text)["objects"]} <= {"identity", "extension-definition", "marking-definition"}
    assert "Zhang Wei" not in text


def test_export_for_a_recipient_leaves_out_what_the_recipient_may_not_see(world):
    vn = make_agency("VN2", "VN")
    _report, text = export(world["cn"], recipient=vn)
    assert "Zhang Wei" not in text and "Nguyen Thi Secret" not in text
    _report, text = export(world["cn"], recipient=world["th_agency"])
    assert "Zhang Wei" in text and "Nguyen Thi Secret" not in text  # TH was not granted her identity
    assert AuditEntry.objects.filter(action=AuditEntry.Action.INTEROP_EXPORT, detail__recipient="THX").exists()


def test_import_is_all_or_nothing_with_numbered_errors(world):
    _report, text = export(world["cn"])
    bundle = json.loads(text)
    bad_phone = next(o for o in bundle["objects"] if o["type"] == "phone-number")
    bad_phone["value"] = "not a phone"
    bad_phone["extensions"][stix.RECORD_EXTENSION]["value"] = "not a phone"
    importer = make_user(make_agency("MYX", "MY"))
    with pytest.raises(stix.StixImportError) as caught:
        stix.import_bundle(importer, json.dumps(bundle), name="partner.json")
    number = bundle["objects"].index(bad_phone) + 1
    assert caught.value.errors == [f"object {number} ({bad_phone['id']}): “not a phone” is not a phone number."]
    assert not Person.objects.filter(owner=importer.agency).exists()
    with pytest.raises(stix.StixImportError, match="not JSON"):
        stix.import_bundle(importer, b"{nope", name="broken.json")


def test_import_keeps_markings_cites_the_bundle_and_a_second_import_changes_nothing(world):
    _report, text = export(world["cn"], recipient=world["th_agency"])
    importer = make_user(make_agency("MYX", "MY"))
    report = stix.import_bundle(importer, text, name="from-th.json")
    person = Person.objects.get(owner=importer.agency, display_name="Zhang Wei")
    assert (person.tlp, person.handling, person.accuracy) == (TLP.AMBER, "H2", "2")
    assert person.citations.filter(source=report.source, location__startswith="object ").exists()
    assert Identifier.objects.filter(owner=importer.agency, normalized="+8613912345678").exists()
    assert Relationship.objects.filter(owner=importer.agency, kind="uses_phone", subject_id=person.pk).exists()
    # The victim came without her identity: nothing to import for her.
    assert report.skipped["identity (protected, withheld)"] == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.INTEROP_IMPORT, actor=importer).count() == 1
    counts = (Person.objects.count(), Identifier.objects.count(), Relationship.objects.count())
    again = stix.import_bundle(importer, text, name="from-th.json")
    assert not again.created and (Person.objects.count(), Identifier.objects.count(), Relationship.objects.count()) == counts
