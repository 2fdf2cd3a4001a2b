"""Link analysis in the demo: one phone number held by two agencies.

Ming Guoping (CN-MPS's record) uses a Myanmar mobile number; the Myanmar Police
Force holds its own record of the same number (identifiers are stored once per
agency), used by a Laukkaing compound manager of its own. Both are shared with
all member agencies, so cn.analyst's link analysis finds "two persons of
different agencies share this phone". All synthetic, TLP:GREEN.
"""
from django.contrib.contenttypes.models import ContentType

from liaison.core.models import TLP, Distribution
from liaison.registry.models import Identifier, Nationality, Person, PersonName, Relationship

NOTE = "Synthetic demonstration record: a phone number two agencies hold, for link analysis."
PHONE = "+95 9 4500 12345"


def _mark(agency):
    return {"owner": agency, "distribution": Distribution.MEMBERS, "tlp": TLP.GREEN, "is_synthetic": True,
            "notes": NOTE}


def _uses(person, phone, agency):
    return Relationship.objects.create(
        kind=Relationship.Kind.USES_PHONE, subject_type=ContentType.objects.get_for_model(Person),
        subject_id=person.pk, object_type=ContentType.objects.get_for_model(Identifier), object_id=phone.pk,
        start="2023", **_mark(agency))


def load(agencies, users):
    cn, mm = agencies["CN-MPS"], agencies["MM-MPF"]
    guoping = Person.objects.filter(owner=cn, names__full_name="Ming Guoping").first()
    if guoping is None:
        return
    cn_phone = Identifier.objects.create(kind="phone", value=PHONE, label="Mobile (MPT)", **_mark(cn))
    _uses(guoping, cn_phone, cn)

    manager = Person.objects.create(sex=Person.Sex.MALE, birth_date="1981", **_mark(mm))
    for full_name, kind, language in (("ဇော်မင်းထွန်း", PersonName.Kind.PRIMARY, "my"),
                                      ("Zaw Min Htun", PersonName.Kind.TRANSLITERATION, "my-Latn")):
        PersonName.objects.create(person=manager, full_name=full_name, kind=kind, language=language)
    Nationality.objects.create(person=manager, country_id="MM", acquired=Nationality.Acquired.BIRTH)
    mm_phone = Identifier.objects.create(kind="phone", value=PHONE, label="Seized handset, Laukkaing", **_mark(mm))
    _uses(manager, mm_phone, mm)
