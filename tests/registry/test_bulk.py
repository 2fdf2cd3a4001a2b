"""The bulk loader writes the same rows the models would, on SQLite and PostgreSQL."""
import pytest
from django.contrib.contenttypes.models import ContentType

from liaison.registry.bulk import BulkLoadError, load_persons
from liaison.registry.models import Identifier, Nationality, Person, PersonName, Relationship
from liaison.sharing.models import Share
from tests.factories import make_agency, make_user

pytestmark = pytest.mark.django_db

ROWS = [
    {
        "names": [
            {"full_name": "  NGUYỄN   Văn An ", "language": "vi"},
            {"full_name": "阮文安", "kind": "alias", "language": "zh"},
            {"full_name": "สมชาย ใจดี", "kind": "transliteration"},
        ],
        "sex": "male", "birth_date": "1990-04", "nationalities": ["VN", "KH"],
        "identifiers": [
            {"kind": "phone", "value": "0095-9-4212 34567"},
            {"kind": "telegram", "value": "@Boss_Wang88"},
            {"kind": "crypto_wallet", "value": "0xABCDEF0123456789abcdef0123456789ABCDEF01"},
        ],
    },
    {
        # No primary name: the first name becomes the display name, as with the ORM.
        "names": [{"full_name": "محمد علي", "kind": "alias"}, {"full_name": "Mohamed Ali", "kind": "alias"}],
        "nationalities": ["MM"],
        "identifiers": [{"kind": "phone", "value": "+66 81 234 5678"}],
        "distribution": "members",
    },
]


def orm_create(owner, row):
    """What an officer's form (the ORM path) stores for ``row``."""
    person = Person.objects.create(owner=owner, distribution=row.get("distribution", "owner"), sex=row.get("sex", ""),
                                   birth_date=row.get("birth_date", ""))
    for name in row["names"]:
        PersonName.objects.create(person=person, full_name=name["full_name"], kind=name.get("kind", "primary"),
                                  language=name.get("language", ""))
    for code in row.get("nationalities", ()):
        Nationality.objects.create(person=person, country_id=code)
    for ident in row.get("identifiers", ()):
        Identifier.objects.create(owner=owner, kind=ident["kind"], value=ident["value"])
    person.refresh_from_db()
    return person


def snapshot(person):
    names = [(n.full_name, n.kind, n.script, n.language, n.search_key) for n in person.names.order_by("id")]
    return {
        "display_name": person.display_name, "sex": person.sex, "birth_date": person.birth_date,
        "distribution": person.distribution, "names": names,
        "nationalities": sorted(person.nationalities.values_list("country_id", flat=True)),
    }


def test_bulk_rows_match_orm_rows():
    orm_owner, bulk_owner = make_agency("ORM", "VN"), make_agency("BULK", "VN")
    expected = [snapshot(orm_create(orm_owner, row)) for row in ROWS]
    orm_idents = set(Identifier.objects.filter(owner=orm_owner).values_list("kind", "normalized", "country_id"))

    report = load_persons(ROWS, bulk_owner)

    persons = [Person.objects.get(pk=pk) for pk in report.person_ids]
    assert [snapshot(p) for p in persons] == expected
    assert persons[0].display_name == "NGUYỄN Văn An"
    assert persons[0].names.get(language="zh").script == "Hani"
    assert persons[1].display_name == "محمد علي"
    bulk_idents = set(Identifier.objects.filter(owner=bulk_owner).values_list("kind", "normalized", "country_id"))
    assert bulk_idents == orm_idents
    assert ("phone", "+959421234567", "MM") in bulk_idents
    # Bulk loads write no history: they are logged as one import instead.
    assert PersonName.history.filter(person_id__in=report.person_ids).count() == 0


def test_identifiers_are_linked_and_reused_per_owner():
    owner = make_agency("LNK", "TH")
    Identifier.objects.create(owner=owner, kind="phone", value="+66812345678")
    report = load_persons(ROWS, owner)
    assert report.identifiers == 3 and report.identifiers_reused == 1
    assert Identifier.objects.filter(owner=owner, normalized="+66812345678").count() == 1
    second = Person.objects.get(pk=report.person_ids[1])
    person_ct = ContentType.objects.get_for_model(Person)
    links = Relationship.objects.filter(subject_type=person_ct, subject_id=second.pk)
    assert [(r.kind, r.object.normalized) for r in links] == [("uses_phone", "+66812345678")]


def test_shared_rows_are_visible_to_the_named_agency_only():
    owner, friend, other = make_agency("OWN", "CN"), make_agency("FRD", "MM"), make_agency("OTH", "KH")
    row = {**ROWS[0], "distribution": "shared", "share_with": [friend.pk]}
    report = load_persons([row], owner)
    pid = report.person_ids[0]
    assert Person.objects.visible_to(make_user(friend)).filter(pk=pid).exists()
    assert not Person.objects.visible_to(make_user(other)).filter(pk=pid).exists()
    # The friend sees the person's identifiers too, not a person without phones.
    assert Identifier.objects.visible_to(make_user(friend)).count() == 3
    assert Share.objects.filter(agency=friend).count() == 7


def test_two_shared_persons_with_one_phone_share_it_once():
    # Two persons of one load, and a third in a later load, use the same phone: the
    # friend gets the phone once (one_share_per_agency), and sees it linked to all three.
    owner, friend = make_agency("TWO", "CN"), make_agency("TWF", "TH")
    phone = {"kind": "phone", "value": "+66 81 234 5678"}
    rows = [{"names": [{"full_name": name}], "identifiers": [phone], "distribution": "shared", "share_with": [friend.pk]}
            for name in ("Wang Lei", "Li Na")]
    first = load_persons(rows, owner)
    later = load_persons([{**rows[0], "names": [{"full_name": "Zhao Min"}]}], owner)
    ident = Identifier.objects.get(owner=owner, normalized="+66812345678")
    ident_ct = ContentType.objects.get_for_model(Identifier)
    assert Share.objects.filter(content_type=ident_ct, object_id=ident.pk, agency=friend).count() == 1
    viewer = make_user(friend)
    assert Identifier.objects.visible_to(viewer).filter(pk=ident.pk).exists()
    person_ct = ContentType.objects.get_for_model(Person)
    seen = Relationship.objects.visible_to(viewer).filter(subject_type=person_ct, object_id=ident.pk)
    assert sorted(seen.values_list("subject_id", flat=True)) == sorted(first.person_ids + later.person_ids)
    assert first.shares == 2 * 2 + 1 and later.shares == 2  # persons and links, the phone once


def test_bad_row_is_named_and_nothing_is_written():
    owner = make_agency("BAD", "TH")
    rows = [ROWS[0], {"names": [{"full_name": "Somchai"}], "identifiers": [{"kind": "phone", "value": "12"}]}]
    with pytest.raises(BulkLoadError, match="Row 1"):
        load_persons(rows, owner)
    assert not Person.objects.filter(owner=owner).exists()
    with pytest.raises(BulkLoadError, match="Row 0: a person needs at least one name"):
        load_persons([{"names": []}], owner)


@pytest.mark.parametrize("owner_has_identifiers", [False, True])
def test_each_batch_reuses_what_the_batch_before_created(owner_has_identifiers):
    # One person a batch. On PostgreSQL a worker process prepares the batches ahead and each
    # batch is written while the next is built, so the batch before is not yet in the database
    # when the next one looks for the owner's identifiers and their shares. An owner with no
    # identifier yet is not looked up at all: the load remembers its own.
    owner, friend = make_agency("SEQ", "CN"), make_agency("SEQF", "TH")
    if owner_has_identifiers:
        Identifier.objects.create(owner=owner, kind="email", value="old@example.org")
    phone = {"kind": "phone", "value": "+66 81 234 5678"}
    rows = [{"names": [{"full_name": f"Wang Lei {i}"}], "nationalities": ["CN"],
             "identifiers": [phone, {"kind": "telegram", "value": f"@handle_{i // 2}"}],
             "distribution": "shared", "share_with": [friend.pk]} for i in range(6)]
    report = load_persons(rows, owner, batch_size=1)
    assert len(set(report.person_ids)) == 6 and report.identifiers == 4 and report.identifiers_reused == 8
    assert Identifier.objects.filter(owner=owner).count() == 4 + owner_has_identifiers
    ident_ct = ContentType.objects.get_for_model(Identifier)
    assert Share.objects.filter(content_type=ident_ct, agency=friend).count() == 4
    viewer = make_user(friend)
    assert Identifier.objects.visible_to(viewer).count() == 4
    persons = Person.objects.filter(pk__in=report.person_ids).order_by("pk")
    assert [p.display_name for p in persons] == [f"Wang Lei {i}" for i in range(6)]
    assert list(Nationality.objects.filter(person__in=persons).values_list("sort_name", flat=True)
                .order_by("person_id")) == [f"Wang Lei {i}" for i in range(6)]


def test_markings_follow_the_rules_of_every_other_writer():
    owner = make_agency("TLP", "TH")
    row = {"names": [{"full_name": "Somchai Public"}], "identifiers": [{"kind": "telegram", "value": "@public_one"}],
           "distribution": "public"}
    report = load_persons([row], owner)
    person = Person.objects.get(pk=report.person_ids[0])
    identifier = Identifier.objects.get(owner=owner, normalized="public_one")
    link = Relationship.objects.get(subject_id=person.pk, object_id=identifier.pk)
    # Public without a marking: TLP:CLEAR, so that an officer can edit and save it again.
    assert (person.tlp, identifier.tlp, link.tlp) == ("CLEAR", "CLEAR", "CLEAR")
    with pytest.raises(BulkLoadError, match="Row 0: Only TLP:CLEAR records can be public"):
        load_persons([{**row, "tlp": "AMBER"}], owner)
    with pytest.raises(BulkLoadError, match="Row 0: unknown TLP marking"):
        load_persons([{**row, "tlp": "PINK"}], owner)
    assert Person.objects.filter(owner=owner).count() == 1


def test_text_that_looks_like_copy_syntax_is_stored_exactly():
    owner = make_agency("ESC", "TH")
    place = "C:\\new\tfolder\\N \\. end"
    report = load_persons([{"names": [{"full_name": "Li\\Na \\N"}], "birth_place": place},
                           {"names": [{"full_name": "Zhao Min"}], "birth_place": "\\N"}], owner, batch_size=1)
    first, second = (Person.objects.get(pk=pk) for pk in report.person_ids)
    assert first.birth_place == place and first.display_name == "Li\\Na \\N"
    assert second.birth_place == "\\N"


def test_a_bad_row_in_a_later_batch_leaves_nothing():
    owner = make_agency("LATE", "TH")
    rows = [{"names": [{"full_name": f"Somchai {i}"}], "identifiers": [{"kind": "telegram", "value": f"@s{i}xx"}]}
            for i in range(5)]
    rows.append({"names": [{"full_name": "Somchai bad"}], "identifiers": [{"kind": "phone", "value": "12"}]})
    with pytest.raises(BulkLoadError, match="Row 5"):
        load_persons(rows, owner, batch_size=2)
    assert not Person.objects.filter(owner=owner).exists()
    assert not Identifier.objects.filter(owner=owner).exists()


@pytest.mark.parametrize("e164", [
    "+66812345678", "+959421234567", "+85512345678", "+8562055512345", "+84912345678", "+8613812345678",
    "+12025550123", "+14165550123", "+79161234567", "+77012345678", "+447700900123", "+3584012345678",
])
def test_phone_country_is_the_one_the_models_derive(e164):
    # The load skips a second parse for country codes of one region; it must give
    # the same country as identifiers.phone_region (Canada vs USA, Kazakhstan vs Russia).
    from liaison import identifiers
    from liaison.registry.bulk import _phone_region

    assert _phone_region(e164) == identifiers.phone_region(e164)


def _foreign_keys(table):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass",
                       [table])
        return dict(cursor.fetchall())


# serialized_rollback: the countries (a data migration) must survive the flush.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestDeferredIndexes:
    """A large first load drops indexes and foreign keys; they must all come back, checked."""

    @pytest.fixture(autouse=True)
    def postgresql_only(self):
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip("deferred_indexes does nothing outside PostgreSQL")
        # An earlier transactional test may have flushed the data migration's countries.
        from django_countries import countries

        from liaison.core.models import Country

        if not Country.objects.exists():
            Country.objects.bulk_create(Country(code=code, name=name) for code, name in countries)

    def test_keys_come_back_validated(self):
        from liaison.registry.bulk import deferred_indexes

        before = _foreign_keys("registry_personname")
        with deferred_indexes():
            assert _foreign_keys("registry_personname") == {}
            load_persons(ROWS, make_agency("MPS", "CN"))
        assert _foreign_keys("registry_personname") == before and all(before.values())
        assert PersonName.objects.count() == 5

    def test_a_row_breaking_a_key_is_reported_and_the_key_stays(self):
        from django.db import IntegrityError

        from liaison.registry.bulk import deferred_indexes

        with pytest.raises(IntegrityError, match="country"):
            with deferred_indexes():
                load_persons([{**ROWS[1], "nationalities": ["ZZ"]}], make_agency("MPS", "CN"))
        keys = _foreign_keys("registry_nationality")
        assert len(keys) == 2 and not all(keys.values())  # the country key is back, NOT VALID until fixed
        Nationality.objects.all().delete()


def test_planner_statistics_follow_a_table_that_doubled_and_only_then():
    # A node receiving its first replication grows faster than autovacuum analyses: without fresh
    # statistics PostgreSQL scanned whole tables for each envelope's ids (liaison.federation.bulk).
    from django.db import connection

    from liaison.registry.bulk import analyze_if_grown

    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    owner = make_agency("CN-MPS")
    rows = [{"names": [{"full_name": f"Wang Wei {i}"}]} for i in range(40)]
    load_persons(rows, owner)

    def believed():
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'registry_person'")
            return cursor.fetchone()[0]

    assert analyze_if_grown({Person: 40}) == ["registry_person"]
    assert believed() == 40
    assert analyze_if_grown({Person: 30}) == []  # 30 more on 40: not yet doubled
    load_persons(rows + rows[:5], owner)
    assert analyze_if_grown({Person: 45, PersonName: 0}) == ["registry_person"]
    assert believed() == 85
