"""The story the five seed reports tell, as registry records.

Every fact here cites its report through a ``Citation`` whose evidence is the
exact sentence of the report, found by ``quote()``; a sentence that is not in
the report stops the load, so the demo can never misquote its sources.
Dates are as precise as the reports: most give a day without a year.
"""
from pathlib import Path

from django.contrib.contenttypes.models import ContentType

from liaison.core.models import TLP, Country, Distribution
from liaison.operations.models import CrimeType, Event, Figure, Operation, Participant, Phase
from liaison.registry.models import (
    Citation, IdentityDocument, Nationality, Organisation, Person, PersonName, PersonStatus, Relationship, Source,
)
from liaison.sharing.models import Share

SEEDS_DIR = Path(__file__).resolve().parent / "seeds"
SYNTHETIC_NOTE = "Synthetic demonstration record"

# file, title, language, publisher, published, reliability
SEEDS = [
    ("000_165dd8664f67c60b.txt", "China bertekad berantas penipuan telekomunikasi dan kejahatan terorganisasi transnasional",
     "id", "Suarathailand", "", Source.Reliability.X),
    ("001_2a236e6fe0d4676a.txt", "31 000 suspects extradés depuis le Myanmar vers la Chine",
     "fr", "Xinhua (French service)", "--11-22", Source.Reliability.B),
    ("002_bb51eb672679bccb.txt", "Vietnam Dorong Mekanisme Bersama untuk Perangi Kejahatan Siber di Kamboja",
     "id", "Suarathailand", "", Source.Reliability.X),
    ("003_48ffc7615be71e63.txt", "Chinese Criminals With Cambodian Citizenship Will Be Targeted In New Campaign",
     "en", "", "", Source.Reliability.X),
    ("004_99c18aced534fc62.txt", "تعاون صيني تايلاندي لمكافحة مراكز الاحتيال السيبراني والاتجار بالبشر",
     "ar", "", "", Source.Reliability.X),
]


def quote(source, start):
    """The sentence of ``source`` that begins with ``start``, verbatim."""
    text = source.text
    begin = text.find(start)
    if begin < 0:
        raise ValueError(f"“{start}” is not in {source.reference}")
    end = begin + len(start)
    while end < len(text):
        if text[end] in ".!?؟。" and (end + 1 == len(text) or text[end + 1] in " \n\r\t"):
            return text[begin : end + 1]
        end += 1
    return text[begin:]


class Story:
    """Helpers that keep every record's marking and citation in one place."""

    def __init__(self, agencies):
        self.a = agencies
        self.countries = {c.code: c for c in Country.objects.filter(code__in=["CN", "MM", "KH", "LA", "TH", "VN", "KR"])}
        self.sources = {}

    def mark(self, owner, distribution=Distribution.PUBLIC, tlp=TLP.CLEAR, synthetic=False, note=""):
        return {
            "owner": self.a[owner], "distribution": distribution, "tlp": tlp, "is_synthetic": synthetic,
            "notes": note if not synthetic else f"{SYNTHETIC_NOTE}. {note}".strip(),
        }

    def cite(self, record, seed, *starts, location=""):
        source = self.sources[seed]
        for start in starts:
            Citation.objects.create(
                source=source, record=record, evidence=quote(source, start), location=location or source.reference
            )
        return record

    def event(self, seed, starts, *, figures=(), countries=(), agencies=(), **fields):
        event = Event.objects.create(**fields)
        event.countries.set([self.countries[c] for c in countries])
        event.agencies.set([self.a[s] for s in agencies])
        for category, value, *rest in figures:
            qualifier = rest[0] if rest else ""
            note = rest[1] if len(rest) > 1 else ""
            Figure.objects.create(event=event, category=category, value=value, qualifier=qualifier, note=note)
        return self.cite(event, seed, *starts)

    def person(self, seed, starts, names, marking, **fields):
        person = Person.objects.create(**marking, **fields)
        for full_name, kind, language in names:
            PersonName.objects.create(person=person, full_name=full_name, kind=kind, language=language)
        person.refresh_from_db(fields=["display_name"])
        return self.cite(person, seed, *starts)

    def link(self, seed, starts, subject, kind, obj, marking, detail=""):
        rel = Relationship.objects.create(
            kind=kind, subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk,
            object_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, detail=detail, **marking,
        )
        return self.cite(rel, seed, *starts)


def load_sources(story):
    for filename, title, language, publisher, published, reliability in SEEDS:
        text = (SEEDS_DIR / filename).read_text(encoding="utf-8")
        story.sources[filename[:3]] = Source.objects.create(
            title=title, kind=Source.Kind.NEWS, language=language, publisher=publisher, published=published,
            reference=filename, text=text, reliability=reliability, accuracy="4",
            **story.mark("LMLECC", note="Seed news report, reproduced as a demonstration fixture."),
        )


def load_jingyao(story):
    s = story
    op = Operation.objects.create(
        name="Jingyao", native_name="净瑶",
        description="Joint law-enforcement operation of Cambodia, China, Laos, Myanmar, Thailand and Viet Nam "
        "against telecom fraud and transnational organised crime, coordinated through the LMLECC.",
        crime_types=[CrimeType.TELECOM_FRAUD, CrimeType.TRAFFICKING, CrimeType.ARMS],
        lead_agency=s.a["LMLECC"],
        **s.mark("LMLECC", Distribution.MEMBERS, TLP.GREEN),
    )
    op.countries.set([s.countries[c] for c in ("KH", "CN", "LA", "MM", "TH", "VN")])
    op.agencies.set([s.a[x] for x in ("LMLECC", "KH-MOI", "CN-MPS", "LA-MPS", "LA-MOD", "MM-MOHA", "TH-RTP", "VN-MPS")])
    s.cite(op, "000", "Operasi Penegakan Hukum Gabungan Jingyao", "Operasi tersebut telah menyatukan")
    phase1 = Phase.objects.create(operation=op, number=1, name="Jingyao – phase 1")
    phase2 = Phase.objects.create(operation=op, number=2, name="Jingyao – phase 2",
                                  description="To start “at the appropriate time this year” (no date given).")
    s.cite(phase1, "000", "Tahap pertama berhasil")
    s.cite(phase2, "000", "Tahap kedua akan dimulai")

    public = s.mark("LMLECC")
    s.event("000", ["Tahap pertama berhasil"], kind=Event.Kind.OTHER, title="Jingyao phase 1 results",
            operation=op, phase=phase1, is_cumulative=True,
            figures=[(Figure.Category.CASES, 160), (Figure.Category.SUSPECTS, 70000, Figure.Qualifier.MORE_THAN, "arrested"),
                     (Figure.Category.VICTIMS, 160, "", "rescued, mostly fraud victims")],
            countries=("KH", "CN", "LA", "MM", "TH", "VN"), agencies=("LMLECC",), **public)
    s.event("000", ["Tiongkok akan meluncurkan tahap kedua", "Tahap kedua akan dimulai"],
            kind=Event.Kind.OPERATION_LAUNCH, title="Jingyao phase 2 announced", operation=op, phase=phase2,
            description="Announced by the Chinese embassy in Myanmar; to start “at the appropriate time this year”.",
            countries=("KH", "CN", "LA", "MM", "TH", "VN"), agencies=("CN-MPS",), **public)
    s.event("000", ["Pusat Kerja Sama Penegakan Hukum Lancang-Mekong (LMLECC) menyelenggarakan", "Delegasi dari",
                    "Organisasi internasional"],
            kind=Event.Kind.MEETING, title="LMLECC review meeting of Jingyao phase 1", date="--01-21",
            place="Kunming, Yunnan", operation=op, phase=phase1,
            countries=("KH", "CN", "LA", "MM", "TH", "VN"),
            agencies=("LMLECC", "KH-MOI", "CN-MPS", "LA-MPS", "LA-MOD", "MM-MOHA", "TH-RTP", "VN-MPS", "UNODC", "ASEANAPOL"),
            **public)
    return op


def load_myanmar_china(story):
    s = story
    public = s.mark("CN-MPS")
    s.event("001", ["A ce jour, un total de", "Parmi des suspects", "Depuis septembre de cette année"],
            kind=Event.Kind.HANDOVER, title="Suspects handed over from Myanmar to China (running total)",
            is_cumulative=True, from_country=s.countries["MM"], to_country=s.countries["CN"],
            description="Running total announced by the Ministry of Public Security; cross-border cooperation "
            "since September (year not stated).",
            figures=[(Figure.Category.SUSPECTS, 31000), (Figure.Category.LEADERS, 63, "", "masterminds, organisers or key members"),
                     (Figure.Category.FUGITIVES, 1531)],
            countries=("MM", "CN"), agencies=("CN-MPS", "CN-YN-PSD", "CN-YN-XSBN", "CN-YN-PE", "CN-YN-LC", "MM-MPF"),
            **public)
    s.event("001", ["Le 18 novembre"], kind=Event.Kind.HANDOVER, title="Muse authorities hand 571 suspects to China",
            date="--11-18", place="Muse", from_country=s.countries["MM"], to_country=s.countries["CN"],
            description="Cross-border law-enforcement cooperation at Dehong (Yunnan) and Muse (northern Shan State).",
            figures=[(Figure.Category.SUSPECTS, 571)], countries=("MM", "CN"), agencies=("MM-MUSE", "CN-YN-DH"),
            **s.mark("CN-YN-DH"))

    members = s.mark("CN-MPS", Distribution.MEMBERS, TLP.GREEN, note="Named in seed report 001.")
    ming = s.cite(
        Organisation.objects.create(
            name="Ming family (Kokang)", aliases="明家\nMing family crime group", kind=Organisation.Kind.FAMILY,
            country=s.countries["MM"], area="Kokang Self-Administered Zone, northern Myanmar", **members,
        ), "001", "Ming Guoping, Ming Julan et Ming Zhenzhen",
    )
    ming_sentence = ["Ming Guoping, Ming Julan et Ming Zhenzhen"]
    people = {}
    for latin, chinese in (("Ming Xuechang", "明学昌"), ("Ming Guoping", "明国平"), ("Ming Julan", "明菊兰"),
                           ("Ming Zhenzhen", "明珍珍")):
        people[latin] = s.person("001", ming_sentence, [(latin, PersonName.Kind.PRIMARY, "zh-Latn"),
                                                        (chinese, PersonName.Kind.TRANSLITERATION, "zh")], members)
        Nationality.objects.get_or_create(person=people[latin], country=s.countries["MM"])

    arrest = s.event("001", ming_sentence, kind=Event.Kind.ARREST, title="Three Ming family leaders arrested in Kokang",
                     place="Kokang, northern Myanmar", figures=[(Figure.Category.LEADERS, 3)],
                     countries=("MM", "CN"), agencies=("CN-MPS",), **members)
    death = s.event("001", ming_sentence, kind=Event.Kind.DEATH, title="Ming Xuechang dies by suicide",
                    place="Kokang, northern Myanmar", description="“s'est suicidé par crainte d'être puni”.",
                    figures=[(Figure.Category.DEATHS, 1)], countries=("MM",), agencies=("CN-MPS",), **members)
    for latin in ("Ming Guoping", "Ming Julan", "Ming Zhenzhen"):
        PersonStatus.objects.create(person=people[latin], status=PersonStatus.Status.ARRESTED, event=arrest)
        Participant.objects.create(event=arrest, person=people[latin], role=Participant.Role.LEADER)
        s.link("001", ming_sentence, people[latin], Relationship.Kind.MEMBER_OF, ming, members,
               detail="chef de file (ringleader)")
    xuechang = people["Ming Xuechang"]
    PersonStatus.objects.create(person=xuechang, status=PersonStatus.Status.DECEASED, event=death, note="suicide")
    Participant.objects.create(event=death, person=xuechang, role=Participant.Role.LEADER)
    s.link("001", ming_sentence, xuechang, Relationship.Kind.LEADS, ming, members, detail="chef du gang (gang leader)")
    return people


def load_vietnam(story):
    s = story
    public = s.mark("VN-MOFA")
    s.event("002", ["Mengenai penahanan delapan warga negara Vietnam"], kind=Event.Kind.DETENTION,
            title="Eight Vietnamese nationals detained in a Cambodian raid on a scam operation",
            figures=[(Figure.Category.PEOPLE, 8, "", "Vietnamese nationals")], countries=("KH", "VN"),
            agencies=("KH-NP", "VN-EMB-KH", "VN-MOFA"), **public)
    s.event("002", ["Dalam beberapa hari mendatang, 33 warga negara"], kind=Event.Kind.REPATRIATION,
            title="33 Vietnamese nationals to be repatriated from Cambodia", from_country=s.countries["KH"],
            to_country=s.countries["VN"], description="Expected “in the coming days”.",
            figures=[(Figure.Category.PEOPLE, 33, "", "Vietnamese nationals")], countries=("KH", "VN"),
            agencies=("VN-MOFA", "VN-EMB-KH"), **public)
    s.event("002", ["Dalam perkembangan terkait, juru bicara"], kind=Event.Kind.DEATH,
            title="Body of a South Korean woman found at the Vietnam–Cambodia border",
            place="Vietnam–Cambodia border area", description="Being verified by the Vietnamese foreign ministry.",
            figures=[(Figure.Category.DEATHS, 1, "", "South Korean woman")], countries=("VN", "KH", "KR"),
            agencies=("VN-MOFA",), **public)


FUGITIVES = [
    ("陈志华", "Chen Zhihua", "Heng Chenda", "male", "1979"),
    ("林国栋", "Lin Guodong", "Lim Sovann", "male", "1983-04"),
    ("郑海峰", "Zheng Haifeng", "Chea Haifong", "male", "1975-11-02"),
    ("黄丽娟", "Huang Lijuan", "Hoang Sreymom", "female", "1986"),
    ("吴俊杰", "Wu Junjie", "Ou Vibol", "male", "1981-07"),
]


def load_cambodia_china(story):
    s = story
    members = s.mark("CN-KH-LECCO", Distribution.MEMBERS, TLP.GREEN)
    op = s.cite(Operation.objects.create(
        name="Cambodia–China joint crackdown campaign", native_name="中柬联合打击专项行动",
        description="Special joint campaign announced on 3 June (year not stated), to be launched “in due course”; "
        "also immigration control, capacity building and “Safe Sihanoukville”.",
        crime_types=[CrimeType.HOMICIDE, CrimeType.ONLINE_GAMBLING, CrimeType.TELECOM_FRAUD, CrimeType.DRUGS,
                     CrimeType.SMUGGLING, CrimeType.KIDNAPPING, CrimeType.FRAUDULENT_NATIONALITY],
        lead_agency=s.a["CN-KH-LECCO"], **members,
    ), "003", "This statement came on June 3", "China News Agency reported that")
    op.countries.set([s.countries["KH"], s.countries["CN"]])
    op.agencies.set([s.a[x] for x in ("KH-NP", "CN-MPS", "CN-KH-LECCO")])
    s.event("003", ["This statement came on June 3"], kind=Event.Kind.MEETING,
            title="Cambodia–China video conference announces a joint crackdown campaign", date="--06-03",
            operation=op, countries=("KH", "CN"), agencies=("KH-NP", "CN-MPS"), **s.mark("CN-KH-LECCO"))

    shared = s.mark("CN-KH-LECCO", Distribution.SHARED, TLP.AMBER, synthetic=True,
                    note="Illustrates the report's fugitives who obtained Cambodian nationality.")
    people = []
    for chinese, pinyin, khmer_latin, sex, born in FUGITIVES:
        person = s.person("003", ["Jianmin pointed out that", "Many criminal leaders from China"],
                          [(chinese, PersonName.Kind.PRIMARY, "zh"), (pinyin, PersonName.Kind.TRANSLITERATION, "zh-Latn"),
                           (khmer_latin, PersonName.Kind.ALIAS, "km-Latn")],
                          shared, sex=sex, birth_date=born)
        Nationality.objects.create(person=person, country=s.countries["CN"], acquired=Nationality.Acquired.BIRTH)
        Nationality.objects.create(person=person, country=s.countries["KH"], acquired=Nationality.Acquired.NATURALISATION,
                                   status=Nationality.Status.REVOCATION_REQUESTED)
        IdentityDocument.objects.create(person=person, number=f"N{7100000 + len(people) * 137:08d}",
                                        country=s.countries["KH"])
        PersonStatus.objects.create(person=person, status=PersonStatus.Status.WANTED, country=s.countries["CN"],
                                    note="Repatriation sought")
        for agency in ("KH-NP", "CN-MPS"):
            Share.objects.create(record=person, agency=s.a[agency])
        people.append(person)
    return people


def load_china_thailand(story):
    s = story
    public = s.mark("TH-RTP")
    s.event("004", ["أعلنت الصين وتايلاند خلال قمة مشتركة", "يتضمن هذا التعاون"], kind=Event.Kind.OTHER,
            title="China and Thailand announce joint action against scam centres and trafficking from Myanmar",
            description="Intelligence exchange, coordinated security operations, awareness campaigns on fake job "
            "advertisements, use of AI and data analysis.",
            countries=("CN", "TH", "MM"), agencies=("CN-MPS", "TH-RTP"), **public)
    s.event("004", ["في وقت سابق من العام"], kind=Event.Kind.SITE_CLOSURE,
            title="Thai operation closes many scam centres", description="“Earlier in the year”; no figure given.",
            countries=("TH",), agencies=("TH-RTP",), **public)


def load_story(agencies):
    story = Story(agencies)
    load_sources(story)
    load_jingyao(story)
    load_myanmar_china(story)
    load_vietnam(story)
    load_cambodia_china(story)
    load_china_thailand(story)
    return story
