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
