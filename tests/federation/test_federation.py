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
