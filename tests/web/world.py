"""A small registry shaped like the seed reports (Jingyao, the Ming family of
Kokang), shared by the page tests, the browser tests and the screenshot script.
Everything in it is marked synthetic."""
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType

from liaison.core.models import Country
from liaison.operations.models import Event, Figure, Operation, Participant, Phase
from liaison.registry.models import (
    Citation, Identifier, IdentityDocument, Nationality, Organisation, PersonName, PersonStatus, Relationship, Site,
    Source,
)
from liaison.sharing.models import Role
from tests.factories import make_agency, make_person, make_user

PASSWORD = "correct horse battery staple"


def link(owner, subject, kind, obj, **kwargs):
    return Relationship.objects.create(
        owner=owner, kind=kind, distribution=kwargs.pop("distribution", "members"),
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk,
        object_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, is_synthetic=True, **kwargs,
    )


def build_world():
    cn = make_agency("MPS", "CN", name="Ministry of Public Security")
    mm = make_agency("MOHA", "MM", name="Myanmar Police Force")
    w = SimpleNamespace(cn=cn, mm=mm)
    w.cn_user = make_user(cn, username="cn_analyst", password=PASSWORD)
    w.mm_user = make_user(mm, username="mm_analyst", password=PASSWORD)
    w.cn_viewer = make_user(cn, roles=(Role.VIEWER,), username="cn_viewer", password=PASSWORD)

    w.ming = make_person(cn, "Ming Xuechang", distribution="members", is_synthetic=True, sex="male", birth_date="1955")
    PersonName.objects.create(person=w.ming, full_name="明学昌", kind="alias", language="zh")
    w.guoping = make_person(cn, "Ming Guoping", distribution="members", is_synthetic=True, tlp="RED")
    PersonName.objects.create(person=w.guoping, full_name="明国平", kind="transliteration", language="zh")
    PersonName.objects.create(person=w.guoping, full_name="မင်းကောက်ဖျင်", kind="alias", language="my")
    PersonName.objects.create(person=w.guoping, full_name="مينغ غوبينغ", kind="transliteration", language="ar")
    Nationality.objects.create(person=w.guoping, country_id="MM", acquired="birth", status="held")
    Nationality.objects.create(person=w.guoping, country_id="KH", acquired="investment", acquired_on="2019",
                               status="revocation_requested", status_since="2023-11")
    IdentityDocument.objects.create(person=w.guoping, kind="passport", number="MA1234567", country_id="MM")
    PersonStatus.objects.create(person=w.guoping, status="wanted", date="2023-10")
    PersonStatus.objects.create(person=w.guoping, status="in_custody", date="2023-11-18", country_id="CN")
    w.secret = make_person(cn, "Owner Only Suspect", is_synthetic=True)
    w.victim = make_person(cn, "Victim Real Name", distribution="members", protection="victim", is_synthetic=True)

    w.family = Organisation.objects.create(owner=cn, name="Ming family", aliases="明家\nMing clan", kind="family",
                                           country_id="MM", distribution="members", is_synthetic=True)
    w.site = Site.objects.create(owner=mm, name="Kokang compound 7", country_id="MM", admin_area="Kokang SAZ",
                                 operator=w.family, distribution="members", is_synthetic=True, status="raided")
    w.phone = Identifier.objects.create(owner=cn, kind="phone", value="+86 138 0013 8000", distribution="members", is_synthetic=True)
    link(cn, w.guoping, "member_of", w.family, detail="son of Ming Xuechang")
    link(cn, w.ming, "leads", w.family)
    link(cn, w.guoping, "uses_phone", w.phone)
    link(cn, w.guoping, "associate_of", w.secret)

    w.source = Source.objects.create(owner=cn, title="Jingyao phase 1 results", kind="news", language="id",
                                     published="2024-01", text="Lebih dari 70.000 tersangka ditangkap.",
                                     distribution="members", reliability="B", is_synthetic=True)
    Citation.objects.create(source=w.source, record=w.guoping, evidence="Keluarga Ming dari Kokang")

    w.operation = Operation.objects.create(owner=cn, name="Jingyao", native_name="净尧", start="2023-09",
                                           distribution="members", is_synthetic=True)
    w.operation.countries.set(Country.objects.filter(code__in=["CN", "MM", "TH", "KH", "LA", "VN"]))
    w.phase1 = Phase.objects.create(operation=w.operation, number=1, start="2023-09", end="2023-12")
    w.phase2 = Phase.objects.create(operation=w.operation, number=2, start="2024-01")
    w.event = Event.objects.create(owner=cn, kind="arrest", title="Phase 1 arrests", date="2023-12",
                                   operation=w.operation, phase=w.phase1, distribution="members", is_synthetic=True)
    Figure.objects.create(event=w.event, category="suspects", value=70000, qualifier="more_than")
    Figure.objects.create(event=w.event, category="victims", value=160)
    w.handover = Event.objects.create(owner=cn, kind="handover", title="Handover at Muse", date="--11-18",
                                      place="Muse", operation=w.operation, phase=w.phase1, site=w.site,
                                      distribution="members", is_synthetic=True)
    Figure.objects.create(event=w.handover, category="suspects", value=571)
    Participant.objects.create(event=w.handover, person=w.guoping, role="leader")
    Participant.objects.create(event=w.handover, person=w.victim, role="victim")
    return w
