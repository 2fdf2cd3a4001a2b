"""The bulk receiving path (``liaison.federation.bulk``): an envelope's new persons written together
give the receiving node's officers the very copies the one-by-one path gives, and a delivery the
rules refuse leaves no row, whatever the other deliveries of its envelope."""
import json

import pytest

from liaison.core.models import TLP, Handling
from liaison.federation import bulk
from liaison.federation.models import AgencyHome, ExchangeEntry, OutboxEntry, Replica
from liaison.interop.models import ExternalObject
from liaison.registry.models import (
    Citation, IdentityDocument, Nationality, Person, PersonName, PersonStatus, Source,
)
from liaison.sharing import services as sharing
from liaison.sharing.models import Role, Share
from liaison.sharing.visibility import can_see_protected
from tests.factories import make_agency, make_person, make_user
from tests.federation.test_federation import (  # noqa: F401  (world is a fixture)
    CN_KEY, as_node, envelope, receive_envelope_on_th, world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def spy(monkeypatch):
    """The deliveries the bulk path wrote."""
    written = []
    original = bulk._write

    def _write(peer, items):
        written.extend(items)
        return original(peer, items)

    monkeypatch.setattr(bulk, "_write", _write)
    return written


def rich_persons(world, prefix):
    """Persons of CN-MPS as officers write them: names in two scripts, nationalities, a passport,
    statuses, a cited source with a quoted sentence, various markings; a victim shared with her
    identity and one shared without it. Shared with TH-RTP (and TH-IMM) on the Chinese node."""
    cn, th, th_imm = world["cn"], world["th"], world["th_imm"]
    source = Source.objects.create(owner=cn, title=f"{prefix} report", kind=Source.Kind.NEWS, distribution="shared",
                                   tlp=TLP.GREEN, url="https://news.example/muse")
    suspect = make_person(cn, f"{prefix} Ming Xuechang", "明学昌", tlp=TLP.GREEN, handling=Handling.H1,
                          accuracy="2", sex="male", birth_date="1955", birth_place="Kokang")
    Nationality.objects.create(person=suspect, country_id="CN", acquired="birth")
    Nationality.objects.create(person=suspect, country_id="MM")
    IdentityDocument.objects.create(person=suspect, kind="passport", number=f"{prefix}E1234567", country_id="CN")
    PersonStatus.objects.create(person=suspect, status="wanted", date="2023-10", country_id="CN", note="warrant 12")
    PersonStatus.objects.create(person=suspect, status="arrested", date="2023-11-18")
    Citation.objects.create(source=source, content_type_id=_ct(), object_id=suspect.pk,
                            evidence="Muse authorities handed over 571 suspects", location="para. 2")
    plain = make_person(cn, f"{prefix} Sok Dara", tlp=TLP.AMBER)
    victim = make_person(cn, f"{prefix} Victim Readable", protection="victim", tlp=TLP.AMBER)
    PersonStatus.objects.create(person=victim, status="rescued", date="2024-01", note="found in compound")
    hidden = make_person(cn, f"{prefix} Victim Withheld", protection="victim")
    persons = [suspect, plain, victim, hidden]
    with as_node("cn", CN_KEY):
        sharing.share(world["liaison"], source, agencies=[th, th_imm])
        sharing.share(world["liaison"], suspect, agencies=[th, th_imm])
        sharing.share(world["liaison"], plain, agencies=[th])
        sharing.share(world["liaison"], victim, agencies=[th], include_protected=True)
        sharing.share(world["liaison"], hidden, agencies=[th])
    return persons


def _ct():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Person).pk


def seen_on_th(world, originals, prefix):
    """What the Thai node's officers see of the copies of ``originals``, in their order, with the
    prefix that tells the two sets apart taken out, and no ids."""
    officer, other = world["th_officer"], world["th_imm_officer"]
    out = []
    for original in originals:
        with as_node("cn", CN_KEY):
            from liaison.interop.stix import StixWriter

            stix_id = StixWriter(None).stix_id(Person, original.pk)
        replica = Replica.objects.filter(stix_id=stix_id).first()
        copy = Person.objects.visible_to(officer).filter(pk=getattr(replica, "object_id", None)).first()
        if copy is None:
            out.append(None)
            continue
        readable = not copy.protection or can_see_protected(copy, officer)

        def strip(text):
            return str(text).replace(prefix, "<p>").replace(prefix.lower(), "<p>")

        out.append({
            "name": strip(copy.display_name) if readable else "withheld", "sort_name": strip(copy.sort_name),
            "marking": (copy.tlp, copy.handling, copy.accuracy, copy.distribution, copy.protection, copy.is_synthetic),
            "facts": (copy.sex, copy.birth_date, copy.birth_place, copy.owner_id, copy.retracted_at),
            "names": [(strip(n.full_name), n.kind, n.script, n.language, strip(n.search_key))
                      for n in copy.names.order_by("id")] if readable else [],
            "nationalities": sorted((n.country_id, n.acquired, n.status, n.acquired_on) for n in copy.nationalities.all()),
            "documents": [(strip(d.kind), strip(d.number), d.country_id) for d in copy.documents.all()],
            "statuses": [(s.status, s.date, s.country_id, s.note) for s in copy.statuses.all()],
            "shares": sorted((s.agency.short_name, s.include_protected) for s in Share.objects.filter(
                content_type_id=_ct(), object_id=copy.pk)),
            "citations": sorted((strip(c.source.title), c.source.kind, c.location, c.evidence != stix_id and strip(c.evidence))
                                for c in Citation.objects.filter(content_type_id=_ct(), object_id=copy.pk)),
            "other_agency_sees": Person.objects.visible_to(other).filter(pk=copy.pk).exists(),
            "link": ExternalObject.objects.filter(external_id=stix_id, object_id=copy.pk).count(),
        })
    return out


@pytest.fixture
def th_imm(world):
    world["th_imm"] = make_agency("TH-IMM", "TH")
    AgencyHome.objects.create(agency=world["th_imm"], node=world["nodes"]["th"])
    world["th_imm_officer"] = make_user(world["th_imm"], roles=[Role.ANALYST])
    world["outsider_officer"] = make_user(make_agency("LA-NP", "LA"), roles=[Role.ANALYST])
    return world


def pending_entries(originals):
    return list(OutboxEntry.objects.filter(peer__name="th", delivered_at__isnull=True,
                                           object_id__in=[p.pk for p in originals]).order_by("pk"))


def test_an_envelope_written_in_bulk_gives_the_same_copies_as_one_by_one(world, th_imm, spy, monkeypatch):
    one_by_one = rich_persons(world, "Alpha")
    in_bulk = rich_persons(world, "Bravo")
    first, _c = envelope(pending_entries(one_by_one))
    second, controls = envelope(pending_entries(in_bulk))
    assert json.loads(first)["objects"] and b"Victim Withheld" not in first + second
    # The hand-written check of a person's STIX object (instead of stix2, for speed) knows the writer's.
    people = [o for o in json.loads(second)["objects"] if o.get("identity_class") == "individual"]
    assert len(people) == 4 and all(bulk._plain_person(o) for o in people)

    with monkeypatch.context() as m:
        m.setattr(bulk, "apply_new_persons", lambda peer, controls, by_id: {})
        assert [s for _c, s, _e in receive_envelope_on_th(first)] == ["accepted"] * 4
    assert not spy
    assert [s for _c, s, _e in receive_envelope_on_th(second)] == ["accepted"] * 4
    # The three persons whose identity left went in bulk; the withheld victim (no copy) one by one.
    assert len(spy) == 3

    expected, got = seen_on_th(world, one_by_one, "Alpha"), seen_on_th(world, in_bulk, "Bravo")
    assert got == expected
    suspect, plain, victim, hidden = got
    assert suspect["names"][1][0] == "明学昌" and suspect["marking"][:3] == (TLP.GREEN, Handling.H1, "2")
    assert suspect["other_agency_sees"] and not plain["other_agency_sees"]
    assert ("<p> report", Source.Kind.NEWS, "para. 2", "Muse authorities handed over 571 suspects") in suspect["citations"]
    assert victim["shares"] == [("TH-RTP", True)] and victim["name"] == "<p> Victim Readable"
    # The identity was withheld: no copy, or a copy without it (whichever the one-by-one path makes).
    assert hidden is None or (hidden["name"] == "withheld" and hidden["sort_name"] == "" and not hidden["names"])
    assert not PersonName.objects.filter(full_name__contains="Victim Withheld").exclude(
        person__owner=world["cn"], person_id__in=[p.pk for p in one_by_one + in_bulk]).exists()
    # Nobody outside the recipients sees a copy; each delivery is logged once, accepted.
    assert not Person.objects.visible_to(world["outsider_officer"]).exists()
    assert ExchangeEntry.objects.filter(direction="in", status="accepted").count() == 8
    # The same envelope again changes nothing (each delivery already applied).
    count = Person.objects.count()
    assert [s for _c, s, _e in receive_envelope_on_th(second)] == ["duplicate"] * 4
    assert Person.objects.count() == count and len(spy) == 3


def test_a_refused_delivery_in_a_bulk_envelope_leaves_no_row(world, spy):
    persons = [make_person(world["cn"], f"Bulk Person {i}") for i in range(4)]
    bad_date = make_person(world["cn"], "Bad Date Person")
    with as_node("cn", CN_KEY):
        for person in [*persons, bad_date]:
            sharing.share(world["liaison"], person, agencies=[world["th"]])
    # A record of KH-NP (homed on kh) in an envelope signed by cn: cn may not send it.
    intruder = make_person(world["kh"], "Intruder Person")
    sharing.share(make_user(world["kh"], roles=[Role.LIAISON_OFFICER]), intruder, agencies=[world["th"]])
    entries = pending_entries([*persons, bad_date])
    forged = OutboxEntry.objects.create(peer=world["nodes"]["th"], content_type=entries[0].content_type,
                                        object_id=intruder.pk)
    body, controls = envelope([entries[0], forged, *entries[1:]])
    # Deliveries whose person claims another owner inside its object, is no valid STIX, or has a
    # date that is no date.
    data = json.loads(body)
    by_id = {o["id"]: o for o in data["objects"]}
    ext_key = next(k for k in by_id[controls[2]["record"]]["extensions"] if k.startswith("extension-definition--"))
    by_id[controls[2]["record"]]["extensions"][ext_key]["owner"] = "KH-NP"
    by_id[controls[3]["record"]]["created"] = "yesterday"
    by_id[controls[5]["record"]]["extensions"][ext_key]["birth_date"] = "yesterday"
    body = json.dumps(data).encode()
    before = {model: model.objects.count() for model in (Person, PersonName, Replica, ExternalObject, Share, Citation)}

    results = {c["id"]: (status, error) for c, status, error in receive_envelope_on_th(body)}
    assert [results[c["id"]][0] for c in controls] == ["accepted", None, None, None, "accepted", None]
    assert results[controls[1]["id"]][1].status == 403 and results[controls[2]["id"]][1].status == 403
    assert "not valid STIX" in str(results[controls[3]["id"]][1])
    assert "could not be imported" in str(results[controls[5]["id"]][1])
    assert len(spy) == 2  # the two sound deliveries, written together
    # Two copies, and not one row more: nothing of the three refused deliveries was written.
    assert Person.objects.count() == before[Person] + 2
    assert PersonName.objects.count() == before[PersonName] + 2
    assert Replica.objects.count() == before[Replica] + 2
    assert ExternalObject.objects.count() == before[ExternalObject] + 2
    assert Share.objects.count() == before[Share] + 2
    assert Citation.objects.count() == before[Citation] + 2
    for name in ("Intruder Person", "Bulk Person 1", "Bulk Person 2", "Bad Date Person"):
        assert PersonName.objects.filter(full_name=name).count() == 1  # the original only
    assert ExchangeEntry.objects.filter(direction="in", status="refused").count() == 4
    assert sorted(ExchangeEntry.objects.filter(direction="in", status="accepted").values_list("stix_id", flat=True)) \
        == sorted([controls[0]["record"], controls[4]["record"]])


def test_an_update_of_a_copy_in_a_bulk_envelope_goes_one_by_one_and_keeps_order(world, spy):
    first = make_person(world["cn"], "First Name")
    with as_node("cn", CN_KEY):
        sharing.share(world["liaison"], first, agencies=[world["th"]])
    body, _controls = envelope(pending_entries([first]))
    assert [s for _c, s, _e in receive_envelope_on_th(body)] == ["accepted"]
    spy.clear()
    OutboxEntry.objects.update(delivered_at=first.created_at)
    later = make_person(world["cn"], "Later Person")
    with as_node("cn", CN_KEY):
        sharing.share(world["liaison"], later, agencies=[world["th"]])
        name = first.names.get()
        name.full_name = "First Renamed"
        name.save()
    body, controls = envelope(pending_entries([first, later]))
    assert [s for _c, s, _e in receive_envelope_on_th(body)] == ["accepted", "accepted"]
    # The new person went in bulk; the update of the copy one by one (its replica exists).
    with as_node("cn", CN_KEY):
        from liaison.interop.stix import StixWriter

        later_id = StixWriter(None).stix_id(Person, later.pk)
    assert [i.control["record"] for i in spy] == [later_id] and len(controls) == 2
    seen = set(Person.objects.visible_to(world["th_officer"]).values_list("display_name", flat=True))
    assert seen == {"First Renamed", "Later Person"}


def test_persons_written_in_bulk_are_matched_after_the_commit(world, spy, django_capture_on_commit_callbacks):
    from liaison.matching.models import MatchKey

    persons = [make_person(world["cn"], f"Matched Person {i}") for i in range(2)]
    with as_node("cn", CN_KEY):
        for person in persons:
            sharing.share(world["liaison"], person, agencies=[world["th"]])
    body, _controls = envelope(pending_entries(persons))
    with django_capture_on_commit_callbacks(execute=True):
        assert [s for _c, s, _e in receive_envelope_on_th(body)] == ["accepted", "accepted"]
    copies = [i.person.pk for i in spy]
    assert len(copies) == 2
    # Arrival matching ran for the copies (their blocking keys exist), as for persons saved one by one.
    assert set(MatchKey.objects.filter(person_id__in=copies).values_list("person_id", flat=True)) == set(copies)
