"""The operation report in the demo: something of Jingyao's phase 1 that one
agency sees and another does not, so that the same report differs by reader.

The Ministry of Public Security of China (CN-MPS) holds a synthetic follow-up of
phase 1, marked TLP:GREEN but shared only with the Xishuangbanna bureau: its
event, its source and the suspect taking part are in cn.analyst's phase 1
report (still TLP:GREEN on every page) and absent from th.officer's.
"""
from django.contrib.contenttypes.models import ContentType

from liaison.core.models import TLP, Country, Distribution
from liaison.operations.models import Event, Figure, Operation, Participant
from liaison.registry.models import Citation, Nationality, Person, PersonName, PersonStatus, Source
from liaison.sharing.models import Share

NOTE = "Synthetic demonstration record: a follow-up of Jingyao phase 1 that only Chinese agencies see."
TITLE = "Xishuangbanna police question 12 suspects returned under Jingyao phase 1 (synthetic)"
SUSPECT = ("赵文", "Zhao Wen")
TEXT = ("Case note (synthetic). Twelve suspects returned under phase 1 of operation Jingyao were questioned by the "
        "Xishuangbanna Prefecture Public Security Bureau in Jinghong. One of them, Zhao Wen, is held as the recruiter "
        "of the group.")


def load(agencies, users=None):
    operation = Operation.objects.filter(name="Jingyao").first()
    if operation is None:
        return None
    phase = operation.phases.get(number=1)
    cn = Country.objects.in_bulk(["CN", "MM"])
    mark = {"owner": agencies["CN-MPS"], "distribution": Distribution.SHARED, "tlp": TLP.GREEN,
            "is_synthetic": True, "notes": NOTE}
    source = Source.objects.create(title="CN-MPS case note on phase 1 returnees (synthetic)", kind=Source.Kind.POLICE_REPORT,
                                   language="en", text=TEXT, reference="CN-MPS-JY1-0012", reliability=Source.Reliability.B,
                                   **mark)
    event = Event.objects.create(kind=Event.Kind.DETENTION, title=TITLE, place="Jinghong, Yunnan", operation=operation,
                                 phase=phase, **mark)
    event.countries.set([cn["CN"], cn["MM"]])
    event.agencies.set([agencies["CN-MPS"], agencies["CN-YN-XSBN"]])
    Figure.objects.create(event=event, category=Figure.Category.SUSPECTS, value=12, note="returned under phase 1")
    person = Person.objects.create(sex=Person.Sex.MALE, **mark)
    PersonName.objects.create(person=person, full_name=SUSPECT[0], kind=PersonName.Kind.PRIMARY, language="zh")
    PersonName.objects.create(person=person, full_name=SUSPECT[1], kind=PersonName.Kind.TRANSLITERATION, language="zh-Latn")
    Nationality.objects.create(person=person, country=cn["CN"])
    PersonStatus.objects.create(person=person, status=PersonStatus.Status.DETAINED, country=cn["CN"], event=event)
    Participant.objects.create(event=event, person=person, role=Participant.Role.SUSPECT, note="recruiter")
    for record, start in ((event, "Twelve suspects returned"), (person, "One of them, Zhao Wen")):
        begin = TEXT.index(start)
        Citation.objects.create(source=source, record=record, evidence=TEXT[begin:TEXT.index(".", begin) + 1],
                                location="case note")
    for record in (source, event, person):
        Share.objects.create(content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk,
                             agency=agencies["CN-YN-XSBN"])
    return event
