"""`liaison demo`: the seed story, cited verbatim, and synthetic data that
different agencies see differently."""
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.oath import TOTP

from liaison.demo import builder
from liaison.demo.agencies import DEMO_PASSWORD
from liaison.operations.models import Event, Figure, Operation, Participant
from liaison.registry.models import (
    Citation, Identifier, Nationality, Organisation, Person, PersonName, PersonStatus, Relationship, Site, Source,
)
from liaison.sharing.models import Agency, Share, User

pytestmark = pytest.mark.django_db
COUNTED = (Agency, User, Source, Citation, Person, PersonName, PersonStatus, Nationality, Identifier, Relationship,
           Organisation, Site, Operation, Event, Figure, Participant, Share)


@pytest.fixture
def demo():
    return builder.load()


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_loading_twice_changes_nothing(demo):
    first = counts()
    assert demo.created and first["Person"] >= 300 and first["Identifier"] >= 550
    again = builder.load()
    assert not again.created
    assert counts() == first


def cited(record):
    ct = ContentType.objects.get_for_model(type(record))
    return list(Citation.objects.filter(content_type=ct, object_id=record.pk).select_related("source"))


def test_every_fact_of_the_story_quotes_its_source_verbatim(demo):
    story_people = Person.objects.filter(is_synthetic=False) | Person.objects.filter(
        nationalities__status=Nationality.Status.REVOCATION_REQUESTED)
    records = list(Event.objects.all()) + list(story_people.distinct()) + list(Operation.objects.all())
    assert len(records) >= 13 + 9 + 2
    for record in records:
        citations = cited(record)
        assert citations, f"{record} cites no source"
        for citation in citations:
            assert citation.evidence and citation.evidence in citation.source.text, (record, citation.evidence)
    assert Source.objects.filter(kind=Source.Kind.NEWS).count() == 5
    languages = set(Source.objects.values_list("language", flat=True))
    assert languages == {"id", "fr", "en", "ar"}


def test_the_ming_family_and_the_muse_handover(demo):
    family = Organisation.objects.get(kind=Organisation.Kind.FAMILY)
    assert "明家" in family.alias_list
    xuechang = Person.objects.get(names__full_name="明学昌")
    assert xuechang.display_name == "Ming Xuechang"
    assert xuechang.current_status.status == PersonStatus.Status.DECEASED
    for chinese in ("明国平", "明菊兰", "明珍珍"):
        assert Person.objects.get(names__full_name=chinese).current_status.status == PersonStatus.Status.ARRESTED
    person_ct = ContentType.objects.get_for_model(Person)
    assert Relationship.objects.filter(kind="leads", subject_type=person_ct, subject_id=xuechang.pk,
                                       object_id=family.pk).exists()
    assert Relationship.objects.filter(kind="member_of", object_id=family.pk).count() == 3

    muse = Event.objects.get(kind=Event.Kind.HANDOVER, place="Muse")
    assert (muse.date, muse.from_country_id, muse.to_country_id) == ("--11-18", "MM", "CN")
    assert muse.figures.get().value == 571
    total = Event.objects.get(kind=Event.Kind.HANDOVER, is_cumulative=True)
    assert {(f.category, f.value) for f in total.figures.all()} == {("suspects", 31000), ("leaders", 63), ("fugitives", 1531)}

    jingyao = Operation.objects.get(native_name="净瑶")
    assert sorted(jingyao.countries.values_list("code", flat=True)) == ["CN", "KH", "LA", "MM", "TH", "VN"]
    results = jingyao.events.get(phase__number=1, kind=Event.Kind.OTHER)
    suspects = results.figures.get(category="suspects")
    assert (suspects.value, suspects.qualifier) == (70000, "more_than")
    meeting = jingyao.events.get(kind=Event.Kind.MEETING)
    assert meeting.date == "--01-21" and {"UNODC", "ASEANAPOL"} <= set(meeting.agencies.values_list("short_name", flat=True))


def test_agencies_see_different_parts_of_the_registry(demo):
    visible = {u.username: Person.objects.visible_to(u).count() for u in User.objects.all()}
    assert visible["admin"] == 0
    assert 0 < visible["unodc.observer"] < visible["cn.analyst"]
    assert len({visible[n] for n in ("cn.analyst", "mm.officer", "kh.officer", "vn.consul", "th.officer")}) == 5
    assert visible["cn.analyst"] == visible["cn.liaison"]  # same agency, same view
    # Nobody sees everything: owner-only records stay with their owner.
    assert max(visible.values()) < Person.objects.count()


def test_synthetic_data_is_marked_and_multilingual(demo):
    synthetic = Person.objects.filter(is_synthetic=True)
    assert synthetic.count() >= 300
    assert not synthetic.exclude(notes__startswith="Synthetic demonstration record").exists()
    assert not Identifier.objects.filter(is_synthetic=False).exists()
    scripts = set(PersonName.objects.values_list("script", flat=True))
    assert {"Hani", "Latn", "Thai", "Khmr", "Mymr", "Laoo", "Arab"} <= scripts
    assert Person.objects.filter(protection=Person.Protection.VICTIM).exists()
    assert set(Person.objects.values_list("distribution", flat=True)) >= {"owner", "members", "shared"}
    kinds = set(Identifier.objects.values_list("kind", flat=True))
    assert {"phone", "crypto_wallet", "telegram", "wechat", "email", "domain"} <= kinds
    assert Site.objects.filter(aliases="KK Park", latitude__isnull=False).exists()


def test_logins_and_otp_commands(demo):
    out = io.StringIO()
    call_command("demo", "logins", stdout=out)
    text = out.getvalue()
    assert "cn.analyst" in text and "VN-MOFA" in text and DEMO_PASSWORD in text
    assert "second factor: run `liaison demo otp USERNAME`" in text
    assert User.objects.get(username="cn.analyst").check_password(DEMO_PASSWORD)

    out = io.StringIO()
    call_command("demo", "otp", "vn.consul", stdout=out)
    code = out.getvalue().strip()
    device = User.objects.get(username="vn.consul").totpdevice_set.get()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    assert code.isdigit() and len(code) == 6 and totp.verify(int(code), tolerance=1)

    with pytest.raises(CommandError, match="There is no user “nobody”"):
        call_command("demo", "otp", "nobody")
