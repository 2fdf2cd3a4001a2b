"""The read replica (liaison/ops/replica.py): which database each kind of query reads.

The suite's ``replica`` database is a TEST MIRROR of ``default`` (tests/settings.py): the
same database through a connection of its own, so the queries each connection ran tell
where the router sent them. Transactional tests: the mirror's connection cannot see
rows inside another connection's open test transaction.
"""
import pytest
from django.db import DatabaseError, connections, transaction
from django.test.utils import CaptureQueriesContext

from liaison.ops import replica
from liaison.registry.models import Person
from liaison.sharing.models import Role
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def world(settings):
    from django_countries import countries

    from liaison.core.models import Country

    # Transactional tests empty every table afterwards, the data migration's countries too.
    if not Country.objects.exists():
        Country.objects.bulk_create(Country(code=code, name=name) for code, name in countries)
    settings.DATABASE_REPLICA_READS = True
    replica._Health.checked_at = 0.0  # the health answer is kept a second per process
    cn, th = make_agency("CN-R", "CN"), make_agency("TH-R", "TH")
    world = type("World", (), {})()
    world.cn, world.th = cn, th
    world.cn_analyst = make_user(cn, roles=(Role.ANALYST,))
    world.th_analyst = make_user(th, roles=(Role.ANALYST,))
    world.shared = make_person(cn, "Replica Shared Person", distribution="members")
    world.secret = make_person(cn, "Replica Secret Person", distribution="owner")
    yield world
    replica._Health.checked_at = 0.0


def queries(client, method, url, **data):
    """The answer and the SQL each connection ran for it."""
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as copy:
        response = getattr(client, method)(url, data)
    return response, [q["sql"] for q in primary], [q["sql"] for q in copy]


def reads(sqls, table):
    return [sql for sql in sqls if sql.lstrip().upper().startswith("SELECT") and table in sql]


def test_search_reads_records_and_visibility_from_the_replica_and_the_session_from_the_primary(client, world):
    login(client, world.th_analyst)
    response, primary, copy = queries(client, "get", "/search/", q="Replica")
    assert response.status_code == 200
    body = response.content.decode()
    # Visibility computed on the replica as on the primary: the shared record, not the other.
    assert "Replica Shared Person" in body and "Replica Secret Person" not in body
    assert reads(copy, "registry_person"), "the search read the replica"
    assert not reads(primary, "registry_person"), "no record read on the primary"
    assert reads(primary, "django_session") and not reads(copy, "django_session")


def test_a_record_list_reads_the_replica(client, world):
    login(client, world.cn_analyst)
    response, primary, copy = queries(client, "get", "/persons/")
    assert response.status_code == 200
    assert "Replica Secret Person" in response.content.decode()  # the owner's own record
    assert reads(copy, "registry_person") and not reads(primary, "registry_person")


def test_a_record_page_and_every_write_use_the_primary(client, world):
    login(client, world.cn_analyst)
    response, primary, copy = queries(client, "get", f"/persons/{world.secret.pk}/")
    assert response.status_code == 200
    assert copy == [] and reads(primary, "registry_person")


def test_after_their_own_post_the_officers_next_pages_read_the_primary(client, world):
    """Read-your-writes: a POST pins the browser to the primary for REPLICA_PIN_SECONDS."""
    login(client, world.cn_analyst)
    response, primary, copy = queries(client, "post", "/i18n/setlang/", language="th", next="/persons/")
    assert response.status_code == 302 and copy == []
    assert replica.PIN_COOKIE in response.cookies
    response, primary, copy = queries(client, "get", "/persons/")
    assert response.status_code == 200
    assert copy == [], "pinned to the primary after a write"
    assert reads(primary, "registry_person")
    # Another officer, who wrote nothing, still reads the replica.
    other = type(client)()
    login(other, world.th_analyst)
    response, primary, copy = queries(other, "get", "/search/", q="Replica")
    assert reads(copy, "registry_person")


def test_an_expired_or_forged_pin_cookie_changes_nothing_but_where_the_holder_reads(client, world):
    login(client, world.th_analyst)
    client.cookies[replica.PIN_COOKIE] = "not a number"
    response, primary, copy = queries(client, "get", "/search/", q="Replica")
    assert response.status_code == 200 and reads(copy, "registry_person")
    client.cookies[replica.PIN_COOKIE] = "99999999999"  # pinned for ever: the primary, same answer
    response, primary, copy = queries(client, "get", "/search/", q="Replica")
    body = response.content.decode()
    assert copy == [] and "Replica Shared Person" in body and "Replica Secret Person" not in body


def test_reads_inside_a_transaction_stay_on_the_primary():
    token = replica._read_alias.set(replica.REPLICA)
    try:
        router = replica.ReplicaRouter()
        assert router.db_for_read(Person) == replica.REPLICA
        with transaction.atomic():
            assert router.db_for_read(Person) == replica.PRIMARY  # a read a write may follow
        from django.contrib.sessions.models import Session

        assert router.db_for_read(Session) == replica.PRIMARY
        assert router.db_for_write(Person) == replica.PRIMARY
        assert router.allow_migrate(replica.REPLICA, "registry") is False
    finally:
        replica._read_alias.reset(token)


def test_a_replica_that_does_not_answer_leaves_the_page_on_the_primary(client, world, monkeypatch):
    def down(connection):
        raise DatabaseError("could not connect to server")

    monkeypatch.setattr(replica, "replica_lag", down)
    login(client, world.th_analyst)
    response, primary, copy = queries(client, "get", "/search/", q="Replica")
    assert response.status_code == 200 and "Replica Shared Person" in response.content.decode()
    assert copy == [] and reads(primary, "registry_person")


def test_a_replica_too_far_behind_is_not_read(client, world, monkeypatch, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 5
    monkeypatch.setattr(replica, "replica_lag", lambda connection: 60.0)
    login(client, world.th_analyst)
    response, primary, copy = queries(client, "get", "/persons/")
    assert response.status_code == 200 and copy == []


def test_the_maps_own_sql_reads_the_replica_too(client, world):
    """The map's clustering statement is raw SQL (analysis/map_views.py): it takes the
    connection the ORM would, so the whole page reads one database."""
    from liaison.registry.models import Site

    Site.objects.create(owner=world.cn, distribution="members", name="Replica Compound", country_id="MM",
                        latitude=21.9, longitude=98.3)
    login(client, world.th_analyst)
    response, primary, copy = queries(client, "get", "/analysis/map/data", bbox="90,10,110,30")
    assert response.status_code == 200, response.content[:500]
    assert response.json()["features"], "the shared site is on the map"
    assert reads(copy, "registry_site") and not reads(primary, "registry_site")
