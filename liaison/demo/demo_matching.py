"""Demo data of the matching app, loaded by ``liaison demo load`` after the story and synthetic records.

Seed report 001 names the Ming family of Kokang; the story enters them as the
Chinese Ministry of Public Security would (明学昌 with its pinyin). Here other
agencies enter the same people as they would meet them: the Myanmar Police
Force on a handover list ("Xuechang Ming", family name last), the Muse
authorities from a passport ("MING XUE CHANG"), the Royal Thai Police from an
immigration check. All these records are synthetic (invented documents,
marked as such) and shared with CN-MPS, so that cn.analyst sees both sides of
each pair and can decide it.

Two watchlist hits leak nothing: TH-RTP's immigration check matches one of
the wanted fugitives of the China–Cambodia office (a record TH-RTP cannot
see), and MM-MPF's handover list matches a fugitive of the Dehong bureau held
for its own eyes only. Each owner put its fugitives on its watchlist (a
status alone lists nobody). Both sides get a notice naming only the other
agency and whether the match is strong or possible.
"""
from django.contrib.contenttypes.models import ContentType

from liaison.core.models import TLP, Country, Distribution
from liaison.demo.story import SYNTHETIC_NOTE
from liaison.registry.models import Citation, IdentityDocument, Nationality, Person, PersonName, PersonStatus, Source
from liaison.sharing.models import Share

# owner, names (name, kind, language), sex, birth date, passport, shared with, note
MING_RECORDS = [
    ("MM-MPF", [("Xuechang Ming", "primary", "my-Latn")], "male", "", "MB0311955", ["CN-MPS"],
     "Ming Xuechang as written on a Myanmar handover list (family name last)."),
    ("MM-MUSE", [("MING XUE CHANG", "primary", "zh-Latn")], "male", "", "MB0311955", ["CN-MPS"],
     "Ming Xuechang as written in his passport (upper case, syllables apart)."),
    ("MM-MPF", [("Guoping Ming", "primary", "my-Latn"), ("မင်းကောက်ဖျင်", "alias", "my")], "male", "", "", ["CN-MPS"],
     "Ming Guoping as written on a Myanmar handover list, with his name in Burmese."),
    ("TH-RTP", [("MING JU LAN", "primary", "zh-Latn"), ("หมิง จวี๋หลาน", "alias", "th")], "female", "", "", ["CN-MPS"],
     "Ming Julan as recorded at a Thai immigration check, with her name in Thai."),
    ("MM-MUSE", [("Zhenzhen Ming", "primary", "zh-Latn")], "female", "", "", ["CN-MPS"],
     "Ming Zhenzhen as written on the Muse handover list."),
]

# A fugitive held for the holder's eyes only, and the record of another agency that matches it.
DEHONG_FUGITIVE = ("CN-YN-DH", [("赵永福", "primary", "zh"), ("Zhao Yongfu", "transliteration", "zh-Latn")], "male", "1977-08")
MUSE_HANDOVER_MATCH = ("MM-MPF", [("Yongfu Zhao", "primary", "my-Latn")], "male", "1977")
# TH-RTP's immigration check of one of the story's fugitives (CN-KH-LECCO, shared with KH-NP and CN-MPS only).
THAI_CHECK_MATCH = ("TH-RTP", [("CHEN ZHI HUA", "primary", "zh-Latn")], "male", "1979")


def _person(agencies, owner, names, sex, born, note, distribution=Distribution.OWNER, tlp=TLP.AMBER):
    person = Person.objects.create(owner=agencies[owner], distribution=distribution, tlp=tlp, is_synthetic=True,
                                   notes=f"{SYNTHETIC_NOTE}. {note}", sex=sex, birth_date=born)
    for full_name, kind, language in names:
        PersonName.objects.create(person=person, full_name=full_name, kind=kind, language=language)
    return person


def _handover_list(agencies, owner, title):
    return Source.objects.create(
        owner=agencies[owner], distribution=Distribution.SHARED, tlp=TLP.AMBER, is_synthetic=True,
        notes=f"{SYNTHETIC_NOTE}. Stand-in for a list of persons handed over at Muse (seed report 001).",
        title=title, kind=Source.Kind.HANDOVER_LIST, language="en", reference=f"{owner}-handover-synthetic", accuracy="3",
        reliability=Source.Reliability.B,
    )


def _flag_fugitives(agencies, users, dehong_fugitive):
    """The owners put their wanted fugitives on their watchlists: the story's five of the
    China–Cambodia office (which has no demo officer: listed by the system) and Dehong's."""
    from liaison.matching import services

    story_fugitives = Person.objects.filter(
        owner=agencies["CN-KH-LECCO"], statuses__status=PersonStatus.Status.WANTED, protection="").distinct()
    for person in story_fugitives.order_by("pk"):
        services.put_on_watchlist(person, "Wanted: repatriation sought (demo)")
    officer = users.get("dh.officer")
    if officer is not None and officer.agency_id == dehong_fugitive.owner_id:
        services.add_to_watchlist(officer, dehong_fugitive, "Fled across the border at Ruili (demo)")
    else:
        services.put_on_watchlist(dehong_fugitive, "Fled across the border at Ruili (demo)")


def load(agencies, users):
    """Create this app's demo records (called once, inside the demo's transaction), then match the registry."""
    from liaison.matching import services

    mm = Country.objects.get(code="MM")
    person_ct = ContentType.objects.get_for_model(Person)
    sources = {}
    created = []
    for line, (owner, names, sex, born, passport, share_with, note) in enumerate(MING_RECORDS, start=2):
        person = _person(agencies, owner, names, sex, born, note, distribution=Distribution.SHARED)
        Nationality.objects.create(person=person, country=mm)
        if passport:
            IdentityDocument.objects.create(person=person, number=passport, country=mm)
        if owner not in sources:
            sources[owner] = _handover_list(agencies, owner, f"Persons handed over at Muse – {owner} list (synthetic)")
            for target in share_with:
                Share.objects.create(record=sources[owner], agency=agencies[target])
        Citation.objects.create(source=sources[owner], content_type=person_ct, object_id=person.pk,
                                evidence=", ".join(n for n, _k, _l in names), location=f"line {line} (synthetic)")
        for target in share_with:
            Share.objects.create(record=person, agency=agencies[target])
        created.append(person)

    owner, names, sex, born = DEHONG_FUGITIVE
    fugitive = _person(agencies, owner, names, sex, born, "A fugitive sought by the Dehong bureau, kept for its own eyes.")
    PersonStatus.objects.create(person=fugitive, status=PersonStatus.Status.FUGITIVE, date="2024-02",
                                note="Fled across the border at Ruili (synthetic)")
    for owner, names, sex, born in (MUSE_HANDOVER_MATCH, THAI_CHECK_MATCH):
        created.append(_person(agencies, owner, names, sex, born, "A routine record that matches another agency's fugitive."))
    created.append(fugitive)

    _flag_fugitives(agencies, users, fugitive)
    # The batch run: blocking keys of the whole registry (the synthetic data
    # is bulk-loaded), candidate pairs, and the two hits.
    services.run_batch()
    return created
