"""Requests, hit notices and notices between agencies of two nodes, in one process (issue 16).

As in test_federation.py, both nodes live in the one test database and ``FEDERATION_NODE`` says
which node the code runs as: the request on the Thai node and its copy on the Chinese node are two
rows, tied by ``FederatedRequest``. ``push`` sends through ``Wire``, which posts to the other node's
inbox view in this process."""
import pytest
from django.test import override_settings

from liaison.core.models import TLP
from liaison.federation import keys, messages, services
from liaison.federation.models import AgencyHome, ExchangeEntry, FederatedRequest, Node
from liaison.matching.models import HitNotice
from liaison.requests import services as requests
from liaison.requests.models import Notification, Request
from liaison.sharing.models import Role
from tests.factories import make_agency, make_person, make_user

pytestmark = pytest.mark.django_db
KEYS = {name: keys.generate() for name in ("cn", "th")}


def as_node(name):
    return override_settings(FEDERATION_NODE=name, FEDERATION_PRIVATE_KEY=KEYS[name][0])


class Wire:
    """``requests.Session`` stand-in: posts to ``node``'s inbox view in this process."""

    def __init__(self, client, node):
        self.client, self.node, self.bodies = client, node, []

    def post(self, url, data, timeout, headers):
        self.bodies.append(data)
        with as_node(self.node):
            response = self.client.post(url.split("invalid", 1)[1], data=data, content_type=headers["Content-Type"],
                                        headers={k: v for k, v in headers.items() if k.startswith("X-")})
        response.text = response.content.decode()
        return response


def push(client, sender, to):
    with as_node(sender):
        return services.push(Node.objects.get(name=to), session=Wire(client, to), ignore_backoff=True)[to]


@pytest.fixture
def world():
    cn, th = make_agency("CN-MPS", "CN"), make_agency("TH-RTP", "TH")
    nodes = {name: Node.objects.create(name=name, base_url=f"http://{name}.invalid/", public_key=KEYS[name][1])
             for name in ("cn", "th")}
    AgencyHome.objects.create(agency=cn, node=nodes["cn"])
    AgencyHome.objects.create(agency=th, node=nodes["th"])
    return {"cn": cn, "th": th, "cn_lo": make_user(cn, roles=[Role.LIAISON_OFFICER]),
            "th_lo": make_user(th, roles=[Role.LIAISON_OFFICER])}


def sent_from_th(world, *persons):
    with as_node("th"):
        request = requests.create_request(world["th_lo"], kind="record_check", to_agency=world["cn"],
                                          title="Record check of a suspect", persons=persons,
                                          fields={"purpose": "Suspected of running a scam compound"})
        return requests.transition(world["th_lo"], request, "send", version=request.version)


def copy_on_cn(request):
    fed = FederatedRequest.objects.get(uid=request.federated.uid, peer__name="th")
    return Request.objects.get(pk=fed.request_id)


def test_a_request_sent_to_an_agency_of_another_node_is_fulfilled_there_and_seen_fulfilled(world, client):
    suspect = make_person(world["th"], "Somchai Remote")
    unshared = make_person(world["th"], "Kept Home", tlp=TLP.RED)
    request = sent_from_th(world, suspect, unshared)
    # The two persons (the TLP:RED one as "withdraw": it stays home), then the request.
    assert push(client, "th", "cn") == 3
    copy = copy_on_cn(request)
    assert (copy.status, copy.from_agency, copy.to_agency, copy.kind) == ("sent", world["th"], world["cn"], "record_check")
    assert copy.version == request.version
    # The person shared to the addressee came with it; the TLP:RED one did not leave: a reference only.
    linked = list(copy.persons.all())
    assert [p.names.first().full_name for p in linked] == ["Somchai Remote"] and linked[0].pk != suspect.pk
    assert copy.federated.withheld_persons == 1 and copy.federated.peer_reference == request.reference
    assert Notification.objects.filter(agency=world["cn"], url=f"/requests/{copy.pk}/").exists()

    with as_node("cn"):
        copy = requests.transition(world["cn_lo"], copy, "acknowledge", version=copy.version)
        requests.add_comment(world["cn_lo"], copy, "Two convictions in Yunnan, details attached.")
        requests.transition(world["cn_lo"], copy, "fulfil", version=copy.version)
    assert push(client, "cn", "th") == 3
    request.refresh_from_db()
    assert request.status == "fulfilled" and request.version == copy.version
    assert [s.action for s in request.steps.all()] == ["create", "send", "acknowledge", "comment", "fulfil"]
    assert request.comments.get().text == "Two convictions in Yunnan, details attached."
    assert Notification.objects.filter(agency=world["th"], url=f"/requests/{request.pk}/",
                                       title__contains="fulfilled by CN-MPS").exists()
    # Each step was received once and is in the exchange log of both sides.
    assert ExchangeEntry.objects.filter(direction="in", action="message", status="accepted").count() == 4


def test_a_step_sent_again_applies_once(world, client):
    request = sent_from_th(world, make_person(world["th"], "Once Only"))
    wire = Wire(client, "cn")
    with as_node("th"):
        services.push(Node.objects.get(name="cn"), session=wire)
    with as_node("cn"):  # the answer was lost: the sender sends the same signed bytes again
        results = services.receive_envelope("th", keys.sign(KEYS["th"][0], wire.bodies[-1]), wire.bodies[-1])
    assert [status for _c, status, _e in results] == ["duplicate", "duplicate"]
    assert Request.objects.filter(federated__peer__name="th").count() == 1
    assert copy_on_cn(request).steps.filter(action="send").count() == 1


def test_a_step_taken_on_an_old_version_is_refused_logged_and_told(world, client):
    request = sent_from_th(world, make_person(world["th"], "Race Person"))
    push(client, "th", "cn")
    copy = copy_on_cn(request)
    # Both sides act on the same version before either hears of the other.
    with as_node("th"):
        requests.transition(world["th_lo"], request, "withdraw", version=request.version, reason="Found him here")
    with as_node("cn"):
        requests.transition(world["cn_lo"], copy, "acknowledge", version=copy.version)
    assert push(client, "cn", "th") == 1
    assert push(client, "th", "cn") == 1
    request.refresh_from_db()
    copy.refresh_from_db()
    assert request.status == "withdrawn" and copy.status == "acknowledged"  # neither applied the other's step
    refused = ExchangeEntry.objects.filter(direction="in", action="message", status="refused")
    assert refused.count() == 2 and "version" in refused.first().detail
    # Each acting agency is told on its own node, with the way out.
    for agency, req in ((world["th"], request), (world["cn"], copy)):
        notice = Notification.objects.filter(agency=agency, url=f"/requests/{req.pk}/", title__contains="refused").get()
        assert "call the other agency" in notice.body


def test_a_node_cannot_speak_for_an_agency_it_does_not_home(world, client):
    request = sent_from_th(world, make_person(world["th"], "Spoofed"))
    push(client, "th", "cn")
    copy = copy_on_cn(request)
    # th tries to fulfil the request in CN-MPS's name (the requested side's step).
    with as_node("th"):
        messages._queue("cn", kind="request_step", speaker="CN-MPS", addressee="TH-RTP",
                        record=f"request:{request.federated.uid}",
                        payload={"request": str(request.federated.uid), "step": "fulfil",
                                 "base_version": copy.version, "version": copy.version + 1})
    assert push(client, "th", "cn") == 1
    copy.refresh_from_db()
    assert copy.status == "sent"
    assert ExchangeEntry.objects.get(direction="in", status="refused").detail.startswith(
        "The agency CN-MPS is not homed on node th")


def test_a_watchlist_hit_on_another_node_reaches_the_agency_with_its_own_record(world, client):
    suspect = make_person(world["th"], "Ming Xuechang")
    sent_from_th(world, suspect)
    push(client, "th", "cn")
    watched = make_person(world["cn"], "明学昌")
    replica = Request.objects.get(federated__peer__name="th").persons.get()
    with as_node("cn"):  # as the matcher makes it on the Chinese node
        HitNotice.objects.create(watched=watched, watched_agency=world["cn"], matched=replica,
                                 matched_agency=world["th"], score=0.995, band="strong")
    assert push(client, "cn", "th") == 1
    notice = Notification.objects.get(agency=world["th"], kind="watchlist_hit")
    assert notice.title == "Watchlist hit: your record matched a watchlisted record held by CN-MPS: strong match"
    assert notice.url == f"/persons/{suspect.pk}/"  # its own record on its own node, nothing of CN-MPS's
    assert "明学昌" not in str(notice.texts)


def test_a_plain_notice_reaches_only_an_agency_that_exchanged_with_the_node(world, client):
    # A notice speaks for no agency: a node may not drop one in the inbox of every agency of another.
    stranger = make_agency("CN-IMM", "CN")
    AgencyHome.objects.create(agency=stranger, node=Node.objects.get(name="cn"))
    request = sent_from_th(world, make_person(world["th"], "Somchai Ruangsri"))
    push(client, "th", "cn")  # CN-MPS has now exchanged with th
    with as_node("th"):
        for addressee in ("CN-IMM", "CN-MPS"):
            messages._queue("cn", kind="notice", speaker="", addressee=addressee, record=f"notice:{addressee}",
                            payload={"notice_kind": "screening_hit", "texts": {"en": ["Call us", "About a traveller"]}})
    assert push(client, "th", "cn") == 2  # one applied, one refused
    assert not Notification.objects.filter(agency=stranger).exists()
    assert ExchangeEntry.objects.get(direction="in", status="refused").detail.startswith(
        "The agency CN-IMM has exchanged nothing with node th")
    notice = Notification.objects.get(agency=world["cn"], kind="screening_hit")
    assert notice.title == "[node th] Call us"
    assert copy_on_cn(request).status == "sent"
