"""Exports contain only what the user may see, carry markings, and are audited."""
import csv
import io

import pytest
from django.test import Client

from liaison.audit.models import AuditEntry
from liaison.sharing import services
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db


def parse(response):
    text = response.content.decode()
    first, rest = text.split("\n", 1)
    return first, list(csv.DictReader(io.StringIO(rest)))


def test_export_only_visible_with_marking_and_audit():
    cn, mm = make_agency("CN", "CN"), make_agency("MM", "MM")
    cn_lo = make_user(cn, roles=("liaison_officer",))
    mm_an = make_user(mm)
    make_person(cn, "Members record", distribution="members", tlp="GREEN")
    make_person(cn, "Private record", tlp="RED")
    victim = make_person(cn, "Victim Real Name", distribution="members", tlp="AMBER", protection="victim")
    make_person(mm, "Own record", tlp="AMBER+STRICT")

    response = login(Client(), mm_an).get("/export/persons.csv")
    assert response.status_code == 200
    marking, rows = parse(response)
    names = {r["name"] for r in rows}
    assert names == {"Members record", "[protected identity withheld]", "Own record"}
    assert "Private record" not in response.content.decode()
    assert "Victim Real Name" not in response.content.decode()
    assert marking.startswith("# TLP:AMBER+STRICT")
    assert "TLP-AMBER-STRICT" in response["Content-Disposition"]
    assert {r["tlp"] for r in rows} == {"GREEN", "AMBER", "AMBER+STRICT"}
    exports = AuditEntry.objects.filter(action="export")
    assert {e.owner_agency_id for e in exports} == {cn.pk, mm.pk}

    services.share(cn_lo, victim, agencies=[mm], include_protected=True)
    _, rows = parse(login(Client(), mm_an).get("/export/persons.csv"))
    assert "Victim Real Name" in {r["name"] for r in rows}


def test_unknown_export_kind_is_404():
    user = make_user(make_agency())
    assert login(Client(), user).get("/export/users.csv").status_code == 404


# --- Formula injection -------------------------------------------------------
# A cell that starts with = + - @ (or their full-width forms), a tab or a
# carriage return is a formula to Excel and LibreOffice: =HYPERLINK(...) in a
# name becomes a link that sends the row elsewhere. Every export neutralises
# such cells with a leading single quote (OWASP "CSV injection").

HYPERLINK = '=HYPERLINK("http://x","y")'
FORMULAS = [HYPERLINK, "+1+2", "-1+2", "@SUM(A1)", "\t=1+2", "\r=1+2", "＝HYPERLINK(\"http://x\")", "＋1", "－1", "＠SUM(A1)"]


def _every_kind_with(owner, text, n=""):
    """One record of every exportable kind, each carrying ``text`` in the fields officers type."""
    from django.contrib.contenttypes.models import ContentType

    from liaison.operations.models import Case, Event, Figure, Operation
    from liaison.registry.models import Identifier, Organisation, Relationship, Site, Source

    person = make_person(owner, text, distribution="members", handling_note=text)
    common = dict(owner=owner, distribution="members", handling_note=text)
    org = Organisation.objects.create(name=text, area=text, **common)
    site = Site.objects.create(name=text, country_id="MM", locality=text, **common)
    # ``n`` keeps identifiers apart: "\t=1+2" and "\r=1+2" have one canonical form.
    identifier = Identifier.objects.create(kind="handle", value=f"{text}{n}", label=text, **common)
    ct = ContentType.objects.get_for_model
    Relationship.objects.create(kind="member_of", subject_type=ct(person), subject_id=person.pk,
                                object_type=ct(org), object_id=org.pk, detail=text, **common)
    Source.objects.create(title=text, publisher=text, reference=text, **common)
    operation = Operation.objects.create(name=text, native_name=text, description=text, **common)
    Case.objects.create(reference=text, title=text, operation=operation, **common)
    event = Event.objects.create(kind="raid", title=text, place=text, description=text, operation=operation, **common)
    Figure.objects.create(event=event, category="suspects", value=5)
    return person, site, identifier


@pytest.mark.parametrize("kind", ["persons", "organisations", "sites", "identifiers", "relationships", "sources",
                                  "operations", "events", "cases"])
def test_no_export_cell_opens_as_a_formula(kind):
    cn, mm = make_agency("CN", "CN"), make_agency("MM", "MM")
    for n, text in enumerate(FORMULAS):
        _every_kind_with(cn, text, n)
    response = login(Client(), make_user(mm)).get(f"/export/{kind}.csv")
    _, rows = parse(response)
    assert rows
    cells = [cell for row in rows for cell in row.values() if cell]
    dangerous = [c for c in cells if c[0] in "=+-@\t\r＝＋－＠"]
    assert dangerous == []
    # The text is kept, readable, behind the quote.
    assert "'" + HYPERLINK in cells
    assert {row["handling_note"] for row in rows} == {"'" + t for t in FORMULAS}


def test_formula_neutralised_in_person_name_identifier_value_and_notes():
    cn = make_agency("CN", "CN")
    user = make_user(cn)
    _every_kind_with(cn, HYPERLINK)
    _, people = parse(login(Client(), user).get("/export/persons.csv"))
    assert [p["name"] for p in people] == ["'" + HYPERLINK]
    assert people[0]["handling_note"] == "'" + HYPERLINK
    _, identifiers = parse(login(Client(), user).get("/export/identifiers.csv"))
    assert identifiers[0]["value"] == "'" + HYPERLINK
    # Numbers that are numbers stay numbers (a negative longitude is no formula).
    from liaison.registry.models import Site

    Site.objects.create(owner=cn, name="Shwe Kokko", country_id="MM", latitude="16.8", longitude="-98.5")
    _, sites = parse(login(Client(), user).get("/export/sites.csv"))
    assert "-98.500000" in {s["longitude"] for s in sites}


# --- The events export: figures, countries, operation ------------------------

def test_event_export_has_figures_countries_and_the_operation_when_visible():
    from liaison.core.models import Country
    from liaison.operations.models import Event, Figure, Operation, Phase

    cn, mm = make_agency("CN", "CN"), make_agency("MM", "MM")
    mm_an = make_user(mm)
    shared_op = Operation.objects.create(owner=cn, name="Jingyao", distribution="members")
    phase = Phase.objects.create(operation=shared_op, number=1, name="Phase one")
    secret_op = Operation.objects.create(owner=cn, name="Secret Dawn", distribution="owner")
    raid = Event.objects.create(owner=cn, kind="arrest", title="Phase 1 arrests", date="2023-12", distribution="members",
                                operation=shared_op, phase=phase)
    raid.countries.set(Country.objects.filter(code__in=["CN", "MM"]))
    Figure.objects.create(event=raid, category="suspects", value=70000, qualifier="more_than")
    Figure.objects.create(event=raid, category="victims", value=160)
    hidden = Event.objects.create(owner=cn, kind="raid", title="Quiet raid", distribution="members", operation=secret_op)

    response = login(Client(), mm_an).get("/export/events.csv")
    text = response.content.decode()
    _, rows = parse(response)
    by_title = {r["title"]: r for r in rows}
    arrests = by_title["Phase 1 arrests"]
    assert arrests["figures"] == "suspects: more than 70,000; victims: 160"
    assert arrests["countries"] == "CN MM"
    assert arrests["operation"] == "Jingyao"
    assert arrests["phase"] == "Phase one"
    quiet = by_title["Quiet raid"]
    assert quiet["operation"] == quiet["phase"] == quiet["figures"] == ""
    assert "Secret Dawn" not in text
    # No column carries the operation's (or any linked record's) id.
    assert [column for column in quiet if column.endswith("_id")] == []
    assert hidden.pk  # the event itself is shared: only its operation is withheld


def test_case_export_names_only_a_visible_operation():
    from liaison.operations.models import Case, Operation

    cn, mm = make_agency("CN", "CN"), make_agency("MM", "MM")
    secret_op = Operation.objects.create(owner=cn, name="Secret Dawn", distribution="owner")
    Case.objects.create(owner=cn, reference="K-1", title="Compound 7", operation=secret_op, distribution="members")
    response = login(Client(), make_user(mm)).get("/export/cases.csv")
    _, rows = parse(response)
    assert rows[0]["operation"] == ""
    assert "Secret Dawn" not in response.content.decode()


# --- Ends of links the reader may not see ------------------------------------

def test_relationship_export_never_carries_a_hidden_end():
    from django.contrib.contenttypes.models import ContentType

    from liaison.registry.models import Identifier, Relationship, Site

    cn, mm = make_agency("CN", "CN"), make_agency("MM", "MM")
    mm_an = make_user(mm)
    boss = make_person(cn, "Ming Guoping", distribution="members")
    victim = make_person(cn, "Victim Real Name", distribution="members", protection="victim")
    hidden_site = Site.objects.create(owner=cn, name="Hidden compound 9", country_id="MM", distribution="owner")
    hidden_phone = Identifier.objects.create(owner=cn, kind="phone", value="+86 138 0013 8000", distribution="owner")
    ct = ContentType.objects.get_for_model

    def link(subject, kind, obj, owner=cn):
        return Relationship.objects.create(owner=owner, kind=kind, distribution="members", subject_type=ct(subject),
                                           subject_id=subject.pk, object_type=ct(obj), object_id=obj.pk)

    held = link(boss, "held_at", hidden_site)
    phone = link(boss, "uses_phone", hidden_phone)
    # MM's own note that CN's victim is an associate: visible to MM, the victim's name is not.
    seen_with = link(victim, "associate_of", boss, owner=mm)
    response = login(Client(), mm_an).get("/export/relationships.csv")
    text = response.content.decode()
    _, rows = parse(response)
    by_id = {int(r["id"]): r for r in rows}

    for row in (by_id[held.pk], by_id[phone.pk]):
        assert row["object"] == "a record you cannot see"
        assert row["object_type"] == row["object_id"] == ""
        assert row["subject"] == "Ming Guoping"
        assert row["subject_type"] == "person"
        assert row["subject_id"] == str(boss.pk)
    assert "Hidden compound 9" not in text and "8613800138000" not in text and "138 0013" not in text
    assert by_id[seen_with.pk]["subject"] == "Protected identity"
    assert "Victim Real Name" not in text


def test_site_export_withholds_a_hidden_operator():
    from liaison.registry.models import Organisation, Site

    cn, mm = make_agency("CN", "CN"), make_agency("MM", "MM")
    family = Organisation.objects.create(owner=cn, name="Secret family", distribution="owner")
    Site.objects.create(owner=mm, name="Kokang compound 7", country_id="MM", operator=family)
    response = login(Client(), make_user(mm)).get("/export/sites.csv")
    _, rows = parse(response)
    assert rows[0]["operator"] == "a record you cannot see"
    assert rows[0]["country"] == "MM"
    assert "Secret family" not in response.content.decode()


# --- Protected persons: order and access log ---------------------------------

def test_person_export_order_says_nothing_of_withheld_names():
    cn, mm = make_agency("CN", "CN"), make_agency("MM", "MM")
    # Created in the opposite order to their names: sorting by the real name
    # would put Aaron first and tell the reader which withheld name is which.
    zed = make_person(cn, "Zed Victim", distribution="members", protection="victim")
    aaron = make_person(cn, "Aaron Victim", distribution="members", protection="victim")
    _, rows = parse(login(Client(), make_user(mm)).get("/export/persons.csv"))
    assert [int(r["id"]) for r in rows] == [zed.pk, aaron.pk]


def test_person_export_logs_each_protected_identity_it_shows():
    cn, mm = make_agency("CN", "CN"), make_agency("MM", "MM")
    cn_lo, mm_an = make_user(cn, roles=("liaison_officer",)), make_user(mm)
    victim = make_person(cn, "Victim Real Name", distribution="members", protection="victim")
    make_person(cn, "Other Victim", distribution="members", protection="witness")
    login(Client(), mm_an).get("/export/persons.csv")
    assert not AuditEntry.objects.filter(action="read_protected").exists()
    services.share(cn_lo, victim, agencies=[mm], include_protected=True)
    login(Client(), mm_an).get("/export/persons.csv")
    reads = AuditEntry.objects.filter(action="read_protected")
    assert [(e.actor_id, e.record_id) for e in reads] == [(mm_an.pk, victim.pk)]
