"""Screening keys: a name written in another script finds the watched record, and the keys follow
the record (names added, listing removed)."""
import pytest

from liaison.matching.keys import blocking_keys, screening_keys, screening_lookup_keys


@pytest.mark.parametrize("registered, born, written, travelling", [
    (["明学昌", "Ming Xuechang"], "1955", "หมิง เสวียชาง", "14/03/1955"),  # Thai script for a Han/pinyin record
    (["ဇော်မင်းထွန်း"], "1988-07", "ZAW MIN HTUN", "1988-07-21"),  # a passport's spelling of a Burmese name
    (["សុខ ដារា"], "1990-03-12", "索达拉", "12/03/2533"),  # Chinese characters; a Thai Buddhist-era year
    (["Dương Thị Hương"], "1982", "HUONG DUONG", "19/02/1982"),  # a name left out
])
def test_a_name_in_another_script_shares_a_screening_key_and_no_exact_key(registered, born, written, travelling):
    assert not blocking_keys([written]) & blocking_keys(registered)
    assert screening_lookup_keys([written], travelling) & screening_keys(registered, born)
    # one year either way, or no year on the record
    assert screening_lookup_keys([written], travelling) & screening_keys(registered, None)
    year = int(born[:4])
    assert not screening_lookup_keys([written], f"{year + 5}") & screening_keys(registered, born)


def test_a_traveller_without_a_year_is_looked_up_by_the_bare_skeleton():
    keys = screening_lookup_keys(["หมิง เสวียชาง"])
    assert "p:mn sjn" in keys and not any(k.startswith("y:") for k in keys)
    assert keys & screening_keys(["明学昌"], "1955")


def test_keys_of_vowels_or_a_single_consonant_are_not_made():
    """欧阳蕾煜 read as "o" or "ou yang lei yu": "a", "a n", "k n" would make half a list its candidates."""
    keys = screening_keys(["欧阳蕾煜"], "1987")
    assert not {k for k in keys if k.startswith("y:") and sum(len(t) for t in k[2:].split("|")[0].split()
                                                                if t != "a") < 2}


@pytest.mark.django_db
def test_keys_follow_the_listing_and_the_names():
    from liaison.matching.models import WatchlistEntry
    from liaison.registry.models import PersonName
    from liaison.linkage import features
    from liaison.screening import keys
    from liaison.screening.models import ScreeningKey, ScreeningRecord
    from tests.factories import make_agency, make_person

    person = make_person(make_agency("KK1", "KH"), "សុខ ដារា", birth_date="1990")
    assert not ScreeningKey.objects.filter(person=person).exists()  # not watched: no keys
    entry = WatchlistEntry.objects.create(person=person, agency_id=person.owner_id, reason="Warrant")
    assert ScreeningKey.objects.filter(person=person, key="y:sk t|1990").exists()
    PersonName.objects.create(person=person, full_name="明学昌", kind="alias")
    assert ScreeningKey.objects.filter(person=person, key="y:mn sjn|1990").exists()
    # Its features are stored with its keys, as the matcher computes them; another code's are not used.
    stored = keys.stored_features([person.pk])
    assert stored == {person.pk: features(keys.load([person.pk])[person.pk])}
    ScreeningRecord.objects.filter(person=person).update(version="older")
    assert keys.stored_features([person.pk]) == {}
    person.protection = "victim"
    person.save()
    assert not ScreeningKey.objects.filter(person=person).exists()
    person.protection = ""
    person.save()
    entry.delete()
    assert not ScreeningKey.objects.filter(person=person).exists()
