"""Federation in one process (issue 16): the outbox follows sharing in its transaction, what
leaves follows the onward rule, the inbox refuses what it must and applies a delivery once,
and the exchange log shows an agency administrator their agency's entries only.

Both nodes live in the one test database: ``FEDERATION_NODE`` says which node the code runs
as. The copy a delivery makes is a second row, found through its ``Replica``. The proof with
real server processes is test_three_nodes.py.
"""
import json

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from liaison.core.models import TLP
from liaison.federation import keys, services
from liaison.federation.models import AgencyHome, ExchangeEntry, Node, OutboxEntry, Replica
from liaison.registry.models import Person
from liaison.sharing import services as sharing
from liaison.sharing.models import Role
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db
CN_KEY, CN_PUBLIC = keys.generate()
TH_KEY, TH_PUBLIC = keys.generate()


@pytest.fixture
def world():
    return make_world()


def make_world():
    cn, th, kh = make_agency("CN-MPS", "CN"), make_agency("TH-RTP", "TH"), make_agency("KH-NP", "KH")
    nodes = {name: Node.objects.create(name=name, base_url=f"http://{name}.invalid/", public_key=public)
             for name, public in (("cn", CN_PUBLIC), ("th", TH_PUBLIC), ("kh", keys.generate()[1]))}
    for agency, node in ((cn, "cn"), (th, "th"), (kh, "kh")):
        AgencyHome.objects.create(agency=agency, node=nodes[node])
    liaison = make_user(cn, roles=[Role.LIAISON_OFFICER])
    return {"cn": cn, "th": th, "kh": kh, "nodes": nodes, "liaison": liaison,
            "th_officer": make_user(th), "th_admin": make_user(th, roles=[Role.AGENCY_ADMIN]),
            "kh_admin": make_user(kh, roles=[Role.AGENCY_ADMIN])}


def as_node(name, key):
    return override_settings(FEDERATION_NODE=name, FEDERATION_PRIVATE_KEY=key)


def body_for(person, peer):
    """What the Chinese node sends to ``peer`` about ``person`` now."""
    with as_node("cn", CN_KEY):
        services.enqueue(person)
        entry = OutboxEntry.objects.filter(peer__name=peer, object_id=person.pk).latest("pk")
        body, control = services.build_body(entry)
        entry.delivered_at = entry.created_at
        entry.save()
    return body, control


def receive_on_th(body, key=CN_KEY, node="cn"):
    with as_node("th", TH_KEY):
        return services.receive(node, keys.sign(key, body), body)


def copy_of(control):
    replica = Replica.objects.filter(stix_id=control["record"]).first()
    return Person.objects.filter(pk=replica.object_id).first() if replica and replica.object_id else None


def test_keys_sign_the_exact_bytes():
    signature = keys.sign(CN_KEY, b'{"a":1}')
    assert keys.verify(CN_PUBLIC, b'{"a":1}', signature)
    assert not keys.verify(CN_PUBLIC, b'{"a":1} ', signature)
    assert not keys.verify(TH_PUBLIC, b'{"a":1}', signature)
    assert keys.public_of(CN_KEY) == CN_PUBLIC


def test_sharing_with_an_agency_of_another_node_writes_the_outbox_in_the_same_transaction(world):
    person = make_person(world["cn"], "Outbox Person")
    with as_node("cn", CN_KEY):
        with pytest.raises(RuntimeError), transaction.atomic():
            sharing.share(world["liaison"], person, agencies=[world["th"]])
            assert OutboxEntry.objects.filter(peer__name="th", object_id=person.pk).exists()
            raise RuntimeError("the share fails later in its transaction")
        assert not OutboxEntry.objects.exists()
        person.refresh_from_db()
        sharing.share(world["liaison"], person, agencies=[world["th"]])
        sharing.retract(world["liaison"], person, "wrong person")
    # The retraction joined the entry not yet tried: one delivery carries the latest state.
    assert list(OutboxEntry.objects.values_list("peer__name", flat=True)) == ["th"]


def test_a_single_node_writes_no_outbox(world):
    person = make_person(world["cn"], "Single Node")
    with as_node("", ""):
        sharing.share(world["liaison"], person, agencies=[world["th"]])
    assert not OutboxEntry.objects.exists()


def test_protected_identity_and_red_records_do_not_leave(world):
    victim = make_person(world["cn"], "Victim Name", protection="victim")
    sharing.share(world["liaison"], victim, agencies=[world["th"]])
    body, control = body_for(victim, "th")
    assert control["action"] == "upsert" and control["recipients"] == ["TH-RTP"]
    assert b"Victim Name" not in body

    red = make_person(world["cn"], "Red Name", tlp=TLP.RED)
    sharing.share(world["liaison"], red, agencies=[world["th"]])
    body, control = body_for(red, "th")
    assert control["action"] == "withdraw" and b"Red Name" not in body


def test_delivery_is_imported_once_shared_with_the_recipient_and_withdrawn(world):
    person = make_person(world["cn"], "Replicated Person")
    sharing.share(world["liaison"], person, agencies=[world["th"]])
    body, control = body_for(person, "th")
    assert receive_on_th(body) == "accepted"
    copy = copy_of(control)
    assert copy is not None and copy.pk != person.pk and copy.owner_id == world["cn"].pk
    assert Person.objects.visible_to(world["th_officer"]).filter(pk=copy.pk).exists()
    # The same delivery again (a retry whose answer was lost) changes nothing.
    assert receive_on_th(body) == "duplicate"
    assert Person.objects.count() == 2

    sharing.unshare(world["liaison"], sharing.recipients_of(person)[0])
    withdraw, control2 = body_for(person, "th")
    assert control2["action"] == "withdraw"
    assert receive_on_th(withdraw) == "accepted"
    assert not Person.objects.visible_to(world["th_officer"]).exists()
    assert not Person.objects.filter(pk=copy.pk).exists()
    # The older share, delivered late, does not bring the record back.
    assert receive_on_th(body.replace(control["id"].encode(), b"x-liaison-delivery--00000000-0000-4000-8000-000000000001")) == "stale"
    assert not Person.objects.visible_to(world["th_officer"]).exists()


def test_deleting_the_original_deletes_the_copy(world):
    person = make_person(world["cn"], "Deleted Person")
    sharing.share(world["liaison"], person, agencies=[world["th"]])
    body, control = body_for(person, "th")
    receive_on_th(body)
    copy = copy_of(control)
    with as_node("cn", CN_KEY):
        person.delete()
        entry = OutboxEntry.objects.filter(peer__name="th", delivered_at__isnull=True).get()
        body, control = services.build_body(entry)
    assert control["action"] == "withdraw" and control["owner"] == ""
    assert receive_on_th(body) == "accepted"
    assert not Person.objects.filter(pk=copy.pk).exists()


def test_retraction_hides_the_copy_from_lists_and_counts(world):
    person = make_person(world["cn"], "Retracted Person")
    sharing.share(world["liaison"], person, agencies=[world["th"]])
    body, control = body_for(person, "th")
    receive_on_th(body)
    sharing.retract(world["liaison"], person, "wrong person")
    body, control = body_for(person, "th")
    assert control["action"] == "retract"
    assert receive_on_th(body) == "accepted"
    assert Person.objects.visible_to(world["th_officer"]).count() == 0


def test_bad_signature_and_records_of_agencies_the_peer_does_not_home_are_refused_and_logged(world):
    person = make_person(world["cn"], "Forged Person")
    sharing.share(world["liaison"], person, agencies=[world["th"]])
    body, control = body_for(person, "th")
    with pytest.raises(services.FederationError) as bad:
        receive_on_th(body, key=TH_KEY)
    assert bad.value.status == 401
    # Node kh signs (with its own key) a record of CN-MPS, which it does not home.
    kh_key, kh_public = keys.generate()
    Node.objects.filter(name="kh").update(public_key=kh_public)
    envelope = json.loads(body)
    for obj in envelope["objects"]:
        if obj["type"] == services.DELIVERY_TYPE:
            obj["sender"] = "kh"
    forged = json.dumps(envelope).encode()
    with pytest.raises(services.FederationError) as refused:
        receive_on_th(forged, key=kh_key, node="kh")
    assert refused.value.status == 403
    assert copy_of(control) is None
    entry = ExchangeEntry.objects.get(direction="in", status="refused")
    assert entry.peer.name == "kh" and "not homed" in entry.detail


def test_an_existing_account_named_like_the_import_account_is_never_used(world):
    make_user(world["th"], roles=[Role.ANALYST], username="federation+CN-MPS")
    person = make_person(world["cn"], "Squatted Person")
    sharing.share(world["liaison"], person, agencies=[world["th"]])
    body, control = body_for(person, "th")
    with pytest.raises(services.FederationError) as refused:
        receive_on_th(body)
    assert refused.value.status == 409
    assert copy_of(control) is None and Person.objects.count() == 1


def test_inbox_answers_in_taxii_and_checks_the_signature(world, client):
    with as_node("th", TH_KEY):
        url = f"/taxii2/federation/collections/{services.INBOX_COLLECTION}/objects/"
        response = client.post(url, data=b"{}", content_type=services.TAXII_MEDIA_TYPE,
                               headers={"X-Liaison-Node": "cn", "X-Liaison-Signature": "AAAA"})
        assert response.status_code == 401 and response.json()["http_status"] == "401"
        person = make_person(world["cn"], "Over HTTP")
        sharing.share(world["liaison"], person, agencies=[world["th"]])
    body, _control = body_for(person, "th")
    with as_node("th", TH_KEY):
        response = client.post(url, data=body, content_type=services.TAXII_MEDIA_TYPE,
                               headers={"X-Liaison-Node": "cn", "X-Liaison-Signature": keys.sign(CN_KEY, body)})
    assert response.status_code == 202 and response.json()["liaison_status"] == "accepted"


def test_exchange_log_shows_an_agency_administrator_their_agency_entries_only(world, client):
    th_imm = make_agency("TH-IMM", "TH")
    AgencyHome.objects.create(agency=th_imm, node=world["nodes"]["th"])
    person = make_person(world["cn"], "Logged Person")
    sharing.share(world["liaison"], person, agencies=[world["th"], th_imm])
    body, control = body_for(person, "th")
    assert control["recipients"] == ["TH-IMM", "TH-RTP"]
    receive_on_th(body)
    login(client, world["th_admin"])
    page = client.get("/federation/log/")
    assert page.status_code == 200 and control["record"] in page.content.decode()
    # A recipient does not learn who else received the record (only its owner sees that).
    assert "TH-IMM" not in page.content.decode() and "TH-RTP" in page.content.decode()
    login(client, world["kh_admin"])
    assert control["record"] not in client.get("/federation/log/").content.decode()
    login(client, world["th_officer"])
    assert client.get("/federation/log/").status_code == 404


def test_the_menu_offers_the_exchange_log_to_administrators_of_a_federated_node_only(world, client):
    login(client, world["th_admin"])
    with as_node("th", TH_KEY):
        assert 'href="/federation/log/"' in client.get("/").content.decode()
    with override_settings(FEDERATION_NODE=""):  # a single node: its log would always be empty
        assert 'href="/federation/log/"' not in client.get("/").content.decode()
    login(client, world["th_officer"])
    with as_node("th", TH_KEY):
        assert 'href="/federation/log/"' not in client.get("/").content.decode()


# --------------------------------------------------------------------------- batches


class InboxSession:
    """``requests.Session`` stand-in for ``push``: posts to the Thai node's inbox view in this process
    (or fails like a peer that is down). Counts the requests."""

    def __init__(self, client, down=False):
        self.client, self.down, self.bodies = client, down, []

    def post(self, url, data, timeout, headers):
        import requests

        self.bodies.append(data)
        if self.down:
            raise requests.ConnectionError("th is down")
        with as_node("th", TH_KEY):
            response = self.client.post(url.split("invalid", 1)[1], data=data, content_type=headers["Content-Type"],
                                        headers={k: v for k, v in headers.items() if k.startswith("X-")})
        response.text = response.content.decode()
        return response


def shared_persons(world, count, prefix="Batch"):
    """``count`` persons of CN-MPS shared with TH-RTP on the Chinese node: an outbox entry each."""
    persons = [make_person(world["cn"], f"{prefix} Person {i}") for i in range(count)]
    with as_node("cn", CN_KEY):
        for person in persons:
            sharing.share(world["liaison"], person, agencies=[world["th"]])
    return persons


def copies_seen_by(user, originals):
    return Person.objects.visible_to(user).exclude(pk__in=[p.pk for p in originals])


def envelope(entries):
    with as_node("cn", CN_KEY):
        body, controls = services.build_envelope(entries)
    return body, controls


def receive_envelope_on_th(body):
    with as_node("th", TH_KEY):
        return services.receive_envelope("cn", keys.sign(CN_KEY, body), body)


def test_push_sends_one_signed_envelope_for_many_records_with_the_definitions_once(world, client):
    persons = shared_persons(world, 3)
    session = InboxSession(client)
    with as_node("cn", CN_KEY), override_settings(FEDERATION_BATCH=2):
        assert services.push(session=session) == {"kh": 0, "th": 3}
        assert services.push(session=session) == {"kh": 0, "th": 0}
    # Two envelopes (batches of 2): the extension definitions once in each, whatever it carries.
    assert len(session.bodies) == 2
    assert session.bodies[0].count(b'"type":"extension-definition"') == 2
    assert copies_seen_by(world["th_officer"], persons).count() == 3
    assert not OutboxEntry.objects.filter(delivered_at__isnull=True).exists()
    assert ExchangeEntry.objects.filter(direction="out", status="delivered").count() == 3
    assert ExchangeEntry.objects.filter(direction="in", status="accepted").count() == 3


def test_a_batch_with_a_refused_record_applies_the_others_and_logs_the_refusal(world):
    persons = shared_persons(world, 2)
    # A record of KH-NP (homed on kh) in an envelope that node cn signs: cn may not send it.
    intruder = make_person(world["kh"], "Intruder Person")
    sharing.share(make_user(world["kh"], roles=[Role.LIAISON_OFFICER]), intruder, agencies=[world["th"]])
    entries = list(OutboxEntry.objects.filter(peer__name="th").order_by("pk"))
    forged = OutboxEntry.objects.create(peer=world["nodes"]["th"], content_type=entries[0].content_type,
                                        object_id=intruder.pk)
    body, controls = envelope([entries[0], forged, entries[1]])
    results = {c["id"]: (status, error) for c, status, error in receive_envelope_on_th(body)}
    assert [results[c["id"]][0] for c in controls] == ["accepted", None, "accepted"]
    assert results[controls[1]["id"]][1].status == 403
    assert copies_seen_by(world["th_officer"], [*persons, intruder]).count() == 2
    refused = ExchangeEntry.objects.get(direction="in", status="refused")
    assert refused.stix_id == controls[1]["record"] and "not homed" in refused.detail
    assert ExchangeEntry.objects.filter(direction="in", status="accepted").count() == 2


def test_a_batch_delivered_twice_changes_nothing(world):
    persons = shared_persons(world, 3)
    body, _controls = envelope(list(OutboxEntry.objects.filter(peer__name="th").order_by("pk")))
    assert [s for _c, s, _e in receive_envelope_on_th(body)] == ["accepted"] * 3
    count = Person.objects.count()
    assert [s for _c, s, _e in receive_envelope_on_th(body)] == ["duplicate"] * 3
    assert Person.objects.count() == count
    assert copies_seen_by(world["th_officer"], persons).count() == 3
    assert ExchangeEntry.objects.filter(direction="in", status="accepted").count() == 3


def test_out_of_order_batches_keep_the_newest_state(world):
    persons = shared_persons(world, 2)
    with as_node("cn", CN_KEY):
        first, _c = services.build_envelope(list(OutboxEntry.objects.filter(peer__name="th").order_by("pk")))
        OutboxEntry.objects.update(delivered_at=timezone.now())
        sharing.retract(world["liaison"], persons[0], "wrong person")
        sharing.unshare(world["liaison"], sharing.recipients_of(persons[1])[0])
        second, controls = services.build_envelope(list(OutboxEntry.objects.filter(delivered_at__isnull=True).order_by("pk")))
    assert [c["action"] for c in controls] == ["retract", "withdraw"]
    assert [s for _c, s, _e in receive_envelope_on_th(second)] == ["accepted", "accepted"]
    # The older batch, arriving late, brings neither record back.
    assert [s for _c, s, _e in receive_envelope_on_th(first)] == ["stale", "stale"]
    assert not copies_seen_by(world["th_officer"], persons).exists()


def test_deliveries_of_an_envelope_apply_in_sequence_order_whatever_their_place(world):
    person = shared_persons(world, 1)[0]
    with as_node("cn", CN_KEY):
        share = OutboxEntry.objects.get()
        share_body, _c = services.build_envelope([share])
        share.delivered_at = timezone.now()
        share.save()
        sharing.retract(world["liaison"], person, "wrong person")
        retract = OutboxEntry.objects.get(delivered_at__isnull=True)
    retract_body, _c = envelope([retract])
    # One envelope holding both, the retraction (higher sequence) written first.
    objects = [*json.loads(retract_body)["objects"], *json.loads(share_body)["objects"]]
    body = json.dumps({"more": False, "objects": objects}).encode()
    statuses = {c["action"]: s for c, s, _e in receive_envelope_on_th(body)}
    assert statuses == {"upsert": "accepted", "retract": "accepted"}
    assert not copies_seen_by(world["th_officer"], [person]).exists()


def test_a_peer_down_gets_the_same_frozen_envelope_again_and_later_changes_follow_it(world, client):
    persons = shared_persons(world, 2)
    down = InboxSession(client, down=True)
    with as_node("cn", CN_KEY):
        assert services.push(session=down, ignore_backoff=True)["th"] == 0
        assert ExchangeEntry.objects.filter(direction="out", status="failed").count() == 2
        # Edited while its envelope waits: a new entry, in a later envelope (the frozen one is not changed).
        sharing.retract(world["liaison"], persons[0], "wrong person")
        assert services.push(session=down)["th"] == 0  # in its back-off: not even tried
        assert len(down.bodies) == 1
        up = InboxSession(client)
        assert services.push(session=up, ignore_backoff=True)["th"] == 3
    assert up.bodies[0] == down.bodies[0]
    assert copies_seen_by(world["th_officer"], persons).count() == 1
    assert ExchangeEntry.objects.filter(direction="out", status="delivered").count() == 3


def test_a_delivery_the_peer_asks_to_send_again_keeps_its_batch_queued_until_it_is_applied(world, client):
    squatter = make_user(world["th"], roles=[Role.ANALYST], username="federation+CN-MPS")
    persons = shared_persons(world, 2)
    session = InboxSession(client)
    with as_node("cn", CN_KEY):
        assert services.push(session=session)["th"] == 0  # 409 for each: pending on the peer's side
        assert OutboxEntry.objects.filter(delivered_at__isnull=True).count() == 2
        assert not copies_seen_by(world["th_officer"], persons).exists()
        squatter.username = "someone.else"
        squatter.save()
        assert services.push(session=session, ignore_backoff=True)["th"] == 2
    assert session.bodies[0] == session.bodies[1]
    assert copies_seen_by(world["th_officer"], persons).count() == 2


@pytest.fixture
def committed_world(transactional_db):
    """``world`` in committed rows, on PostgreSQL only (see the test below)."""
    from django.db import connection
    from django_countries import countries

    from liaison.core.models import Country

    if connection.vendor != "postgresql":
        pytest.skip("forming ahead is for PostgreSQL")
    # Transactional tests empty every table afterwards, the data migration's countries included.
    if not Country.objects.exists():
        Country.objects.bulk_create(Country(code=code, name=name) for code, name in countries)
    return make_world()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # flushes without re-creating content types
def test_on_postgresql_the_next_envelope_is_formed_while_the_peer_applies_and_order_is_kept(committed_world, monkeypatch):
    # Forming ahead runs in a thread with its own connection: it needs committed rows, hence a
    # transactional test, and PostgreSQL (on SQLite push stays one step after the other).
    import threading

    from liaison.federation import outbox

    world = committed_world

    formed_by = []
    real_form = outbox._form_batch

    def form(node):
        batch = real_form(node)
        if batch is not None:
            formed_by.append(threading.current_thread().name)
        return batch

    class Peer:
        """Answers every delivery applied, after a while (applying happens below, in order): the
        Thai node cannot apply in this process while the Chinese node forms, as settings say which
        node the process is."""

        bodies = []

        def post(self, url, data, timeout, headers):
            import time
            from types import SimpleNamespace

            self.bodies.append(data)
            time.sleep(0.3)
            ids = [{"id": c["id"]} for c in json.loads(data)["objects"] if c["type"] == services.DELIVERY_TYPE]
            answer = {"successes": ids}
            return SimpleNamespace(status_code=200, text=json.dumps(answer), json=lambda: answer)

    monkeypatch.setattr(outbox, "_form_batch", form)
    persons = shared_persons(world, 5)
    session = Peer()
    with as_node("cn", CN_KEY), override_settings(FEDERATION_BATCH=2):
        assert services.push(session=session) == {"kh": 0, "th": 5}
    assert len(session.bodies) == 3 and len(formed_by) == 3
    for body in session.bodies:
        receive_envelope_on_th(body)
    assert any(name.startswith("liaison-federation-form-") for name in formed_by)  # formed during a send
    sequences = [c["sequence"] for body in session.bodies
                 for c in json.loads(body)["objects"] if c["type"] == services.DELIVERY_TYPE]
    assert sequences == sorted(sequences) and len(set(sequences)) == 5  # in order, each once
    assert copies_seen_by(world["th_officer"], persons).count() == 5


class _AnsweringPeer:
    """A peer answering each envelope after a while; ``pending_once``: delivery ids it answers
    "send again" the first time it sees them (the Thai node applies below, in order)."""

    def __init__(self, pending_once=()):
        self.bodies, self.pending_once = [], set(pending_once)

    def post(self, url, data, timeout, headers):
        import time
        from types import SimpleNamespace

        self.bodies.append(data)
        time.sleep(0.2)
        ids = [c["id"] for c in json.loads(data)["objects"] if c["type"] == services.DELIVERY_TYPE]
        again = [i for i in ids if i in self.pending_once]
        self.pending_once -= set(again)
        answer = {"successes": [{"id": i} for i in ids if i not in again],
                  "pendings": [{"id": i, "liaison_http_status": 409} for i in again]}
        return SimpleNamespace(status_code=202, text=json.dumps(answer), json=lambda: answer)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # flushes without re-creating content types
def test_on_postgresql_answers_are_recorded_while_the_next_envelope_goes_and_nothing_is_left_unrecorded(committed_world):
    world = committed_world  # PostgreSQL only: push overlaps recording with sending there
    persons = shared_persons(world, 7)
    session = _AnsweringPeer()
    with as_node("cn", CN_KEY), override_settings(FEDERATION_BATCH=2):
        assert services.push(session=session) == {"kh": 0, "th": 7}
    assert len(session.bodies) == 4
    # Every answer recorded by the time push returns: the rows, the batches, the administrator's log.
    assert not OutboxEntry.objects.filter(delivered_at__isnull=True).exists()
    assert ExchangeEntry.objects.filter(direction="out", status="delivered").count() == 7
    assert set(ExchangeEntry.objects.filter(direction="out").values_list("sequence", flat=True)) == set(
        OutboxEntry.objects.values_list("pk", flat=True))
    from liaison.federation.models import OutboxBatch

    assert not OutboxBatch.objects.filter(delivered_at__isnull=True).exists()
    for body in session.bodies:
        receive_envelope_on_th(body)
    assert copies_seen_by(world["th_officer"], persons).count() == 7


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # flushes without re-creating content types
def test_on_postgresql_a_delivery_to_send_again_stops_the_queue_before_any_later_envelope(committed_world):
    # The next envelope goes before an answer is recorded only when the answer settles every delivery:
    # a later retraction must never overtake the share it ends.
    world = committed_world  # PostgreSQL only: push overlaps recording with sending there
    persons = shared_persons(world, 6)
    second = OutboxEntry.objects.order_by("pk")[2]  # in the second envelope of two
    session = _AnsweringPeer(pending_once={f"{services.DELIVERY_TYPE}--{second.delivery_id}"})
    with as_node("cn", CN_KEY), override_settings(FEDERATION_BATCH=2):
        assert services.push(session=session)["th"] == 2  # the first envelope; the second waits
        assert len(session.bodies) == 2  # the third was not sent
        assert OutboxEntry.objects.filter(delivered_at__isnull=True).count() == 3
        assert services.push(session=session, ignore_backoff=True)["th"] == 3  # the second's last, the third
    sent = [[c["sequence"] for c in json.loads(b)["objects"] if c["type"] == services.DELIVERY_TYPE]
            for b in session.bodies]
    assert sent[2] == sent[1]  # the same envelope again, before the third
    order = [s for batch in sent for s in batch]
    assert order[4:] == sorted(order[4:]) and sorted(set(order)) == sorted(
        OutboxEntry.objects.values_list("pk", flat=True))
    for body in session.bodies:
        receive_envelope_on_th(body)
    assert copies_seen_by(world["th_officer"], persons).count() == 6
