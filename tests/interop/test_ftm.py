"""FollowTheMoney: entities validated by followthemoney, onward rules, a list as a watchlist source."""
import io
import json

import pytest

from liaison.audit.models import AuditEntry
from liaison.interop import ftm
from liaison.matching.models import WatchlistEntry
from liaison.registry.models import Person
from liaison.sharing.models import Role
from tests.factories import make_agency, make_user
from tests.interop import interop_world as world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world.build()


def export(user, recipient=None):
    out = io.StringIO()
    report = ftm.export_entities(user, out, recipient=recipient)
    return out.getvalue(), report


def test_every_entity_is_valid_ftm_and_links_resolve(w):
    from followthemoney import model

    text, report = export(w.officer)
    entities = [json.loads(line) for line in text.splitlines()]
    for entity in entities:
        ftm.validate_entity(entity)
        model.get_proxy(entity, cleaned=False)
    by_schema = {}
    for entity in entities:
        by_schema.setdefault(entity["schema"], []).append(entity)
    person = next(e for e in by_schema["Person"] if "Chen Wei" in e["properties"]["name"])
    assert person["properties"]["phone"] == ["+66812345678"]
    assert person["properties"]["passportNumber"] == ["E12345678"]
    assert "TLP:GREEN" in person["properties"]["keywords"]
    membership = by_schema["Membership"][0]["properties"]
    assert membership["member"] == [person["id"]] and membership["role"] == ["accountant"]
    assert by_schema["CryptoWallet"][0]["properties"]["holder"] == [person["id"]]
    ids = {e["id"] for e in entities}
    assert set(membership["organization"]) <= ids
    assert AuditEntry.objects.filter(action="interop_export", detail__format="ftm").exists()


def test_no_red_restricted_or_protected_record_leaves(w):
    text, _report = export(w.officer)
    for secret in (world.VICTIM_NAME, world.VICTIM_EMAIL, world.RED_NAME, world.H2_NAME):
        assert secret not in text
    assert world.AMBER_NAME in text  # AMBER within the officer's own agency, which sees it
    text, _report = export(w.outsider)
    assert world.AMBER_NAME not in text and "Chen Wei" in text
    text, _report = export(w.officer, recipient=w.partner)
    assert world.AMBER_NAME in text
    for secret in (world.VICTIM_NAME, world.VICTIM_EMAIL, world.RED_NAME):
        assert secret not in text


def test_another_agency_exports_only_what_it_sees(w):
    text, _report = export(w.outsider)
    assert "Chen Wei" in text
    for secret in (world.VICTIM_NAME, world.VICTIM_EMAIL, world.RED_NAME, world.AMBER_NAME, world.H2_NAME):
        assert secret not in text


SANCTIONS = "\n".join(json.dumps(e, ensure_ascii=False) for e in [
    {"id": "un-1", "schema": "Person", "properties": {
        "name": ["She Zhijiang"], "alias": ["佘智江"], "birthDate": ["1982-06"], "nationality": ["kh", "cn"],
        "gender": ["male"]}},
    {"id": "un-1-passport", "schema": "Passport", "properties": {"holder": ["un-1"], "number": ["EA1234567"]}},
    {"id": "un-1-sanction", "schema": "Sanction", "properties": {"entity": ["un-1"], "program": ["Scam compounds"],
                                                                 "authority": ["Test authority"]}},
    {"id": "un-2", "schema": "Person", "properties": {"name": ["Bai Suocheng"]}},
    {"id": "org-1", "schema": "Organization", "properties": {"name": ["Yatai Group"]}},
]) + "\n"


def test_a_sanctions_list_becomes_watchlisted_records_of_the_importing_agency():
    officer = make_user(make_agency("TH-W", country="TH"), roles=(Role.ANALYST,))
    report = ftm.import_watchlist(officer, SANCTIONS.encode(), filename="un.ftm.json", list_name="UN test list")
    assert report.persons == 2 and report.skipped == {"Organization": 1}
    she = Person.objects.get(owner=officer.agency, display_name="She Zhijiang")
    assert {n.full_name for n in she.names.all()} == {"She Zhijiang", "佘智江"}
    assert (she.birth_date, she.sex, she.distribution, she.tlp) == ("1982-06", "male", "owner", "AMBER")
    assert {n.country_id for n in she.nationalities.all()} == {"KH", "CN"}
    assert [d.number for d in she.documents.all()] == ["EA1234567"]
    entry = WatchlistEntry.objects.get(person=she)
    assert entry.agency_id == officer.agency_id and entry.reason == "UN test list: Scam compounds"
    assert WatchlistEntry.objects.filter(agency=officer.agency).count() == 2
    assert she.citations.get().source.title == "UN test list"
    with pytest.raises(ftm.FtmError, match="already imported"):
        ftm.import_watchlist(officer, SANCTIONS.encode(), filename="again.json", list_name="UN test list")


def test_bad_lines_are_named_and_nothing_is_imported():
    officer = make_user(make_agency("TH-V", country="TH"), roles=(Role.ANALYST,))
    bad = SANCTIONS + '{"id": "x", "schema": "Nope", "properties": {}}\n{oops\n' + json.dumps(
        {"id": "y", "schema": "Person", "properties": {"alias": ["nameless"]}}) + "\n"
    with pytest.raises(ftm.FtmError) as caught:
        ftm.import_watchlist(officer, bad.encode(), filename="bad.json", list_name="List")
    assert [e.split(":")[0] for e in caught.value.errors] == ["line 6", "line 7", "line 8"]
    assert not Person.objects.filter(owner=officer.agency).exists()
    assert not WatchlistEntry.objects.filter(agency=officer.agency).exists()


def test_round_trip_export_then_import_as_a_list(w):
    text, _report = export(w.officer)
    officer = make_user(make_agency("MY-R", country="MY"), roles=(Role.ANALYST,))
    ftm.import_watchlist(officer, text.encode(), filename="own.ftm.json", list_name="OWN export")
    chen = Person.objects.get(owner=officer.agency, display_name="Chen Wei")
    assert ({n.full_name for n in chen.names.all()}, chen.birth_date, chen.sex) == ({"Chen Wei", "陈伟"}, "1984-06", "male")
    assert [d.number for d in chen.documents.all()] == ["E12345678"]


def test_the_muse_handover_with_its_persons_and_phones_leaves_as_ftm_entities():
    from liaison.interop import stix

    user, _event, source = world.muse_handover()
    out = io.StringIO()
    ftm.export_entities(user, out, selection=stix.selection_for(source=source))
    entities = [json.loads(line) for line in out.getvalue().splitlines()]
    for entity in entities:
        ftm.validate_entity(entity)
    persons = {e["properties"]["name"][0]: e for e in entities if e["schema"] == "Person"}
    assert len(persons) == 24 and len(entities) == 24
    assert persons["LUO Jianhua"]["properties"]["phone"] == ["+8613027665438"]
    assert "罗建华" in persons["LUO Jianhua"]["properties"]["alias"]
    assert "TLP:AMBER" in persons["LUO Jianhua"]["properties"]["keywords"]
