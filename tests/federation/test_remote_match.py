"""Matching across nodes (issue 16): the Thai node asks the Chinese node "do you hold this person?".

In one process: the question goes through the asked node's view (``Wire``). What the asked node
answers comes from the persons their owners put on a watchlist, as border screening; what it
records: a screening run of the asking agency, a hit notice to the owner, audit entries."""
import json

import pytest
from django.test import override_settings

from liaison.audit.models import AuditEntry
from liaison.federation import keys, remote_match
from liaison.federation.models import AgencyHome, Node, RemoteMatchQuery
from liaison.matching import services as matching
from liaison.matching.models import WatchlistEntry
from liaison.registry.models import PersonName
from liaison.requests.models import Notification
from liaison.screening.models import Screening, ScreeningHit
from tests.factories import make_agency, make_person

pytestmark = pytest.mark.django_db
KEYS = {name: keys.generate() for name in ("cn", "th")}
MING = {"names": ["MING XUE CHANG"], "birth_date": "1955", "nationality": "MM"}


def as_node(name):
    return override_settings(FEDERATION_NODE=name, FEDERATION_PRIVATE_KEY=KEYS[name][0])


class Wire:
    def __init__(self, client, node):
        self.client, self.node, self.bodies = client, node, []

    def post(self, url, data, headers, timeout):
        self.bodies.append((data, headers))
        with as_node(self.node):
            return self.client.post(url.split("invalid", 1)[1], data=data, content_type="application/json",
                                    headers={k: v for k, v in headers.items() if k.startswith("X-")})


@pytest.fixture
def world():
    cn, th, kh = make_agency("CN-MPS", "CN"), make_agency("TH-RTP", "TH"), make_agency("KH-NP", "KH")
    nodes = {name: Node.objects.create(name=name, base_url=f"http://{name}.invalid/", public_key=KEYS[name][1])
             for name in ("cn", "th")}
    for agency, node in ((cn, "cn"), (kh, "cn"), (th, "th")):
        AgencyHome.objects.create(agency=agency, node=nodes[node])
    fugitive = make_person(cn, "明学昌", "ZZSECRET Laoming", sex="male", birth_date="1955")
    PersonName.objects.create(person=fugitive, full_name="Ming Xuechang", kind="alias")
    WatchlistEntry.objects.create(person=fugitive, agency=cn, reason="Warrant CN-1")
    # KH-NP holds a namesake it did not put on its watchlist, and a listed protected victim.
    make_person(kh, "Ming Xuechang", sex="male", birth_date="1955")
    victim = make_person(kh, "Ming Xuechang", sex="male", birth_date="1955", protection="victim")
    WatchlistEntry.objects.create(person=victim, agency=kh, reason="Missing")
    matching.refresh_all_keys()
    return {"cn": cn, "th": th, "kh": kh, "fugitive": fugitive}


def ask(client, world, person=MING, **kwargs):
    with as_node("th"):
        return remote_match.ask(world["th"], person, officer="Somchai", session=Wire(client, "cn"), **kwargs)


def test_a_remote_question_hits_a_watchlisted_record_and_tells_only_whom_to_contact(world, client):
    [(node, answer, error)] = ask(client, world)
    assert (node, error, answer["hit"]) == ("cn", "", True)
    [hit] = answer["hits"]  # KH-NP's namesakes (unlisted, protected) do not answer
    assert hit["agency"] == "CN-MPS" and hit["band"] in ("strong", "possible") and hit["reference"].startswith("SCR-")
    assert "score" not in hit and "ZZSECRET" not in json.dumps(answer) and "明学昌" not in json.dumps(answer)
    # The asked node recorded who asked, and told the owner.
    run = Screening.objects.get()
    assert (run.agency, run.place, run.hits) == (world["th"], "Liaison node th", 1)
    notice = Notification.objects.get(agency=world["cn"], kind="screening_hit")
    assert "TH-RTP (node th)" in notice.title and "Somchai" in notice.body
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SCREENING_HIT).count() == 1
    # Both sides keep the question; the asking agency's trail has it.
    assert set(RemoteMatchQuery.objects.values_list("direction", flat=True)) == {"in", "out"}
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SCREENING, owner_agency=world["th"]).count() == 2


def test_no_hit_is_the_same_answer_whatever_unlisted_records_the_node_holds(world, client):
    [(_n, answer, _e)] = ask(client, world, {"names": ["Chen Zhihua"], "birth_date": "1979"})
    before = {k: v for k, v in answer.items() if k != "query_id"}
    make_person(world["kh"], "Chen Zhihua", sex="male", birth_date="1979")  # held, not listed
    matching.refresh_all_keys()
    [(_n, answer, _e)] = ask(client, world, {"names": ["Chen Zhihua"], "birth_date": "1979"})
    assert {k: v for k, v in answer.items() if k != "query_id"} == before == {"node": "cn", "hit": False, "hits": []}


def test_a_repeated_question_gets_the_same_answer_and_no_second_hit(world, client):
    wire = Wire(client, "cn")
    with as_node("th"):
        remote_match.ask(world["th"], MING, session=wire)
    body, headers = wire.bodies[0]
    again = wire.post("http://cn.invalid/taxii2/federation/match/", body, headers, 10).json()
    assert again["hits"][0]["reference"] == ScreeningHit.objects.get().reference
    assert Notification.objects.filter(kind="screening_hit").count() == 1


def test_a_node_cannot_ask_for_an_agency_it_does_not_home_nor_forge_a_signature(world, client):
    body = json.dumps({"query_id": "00000000-0000-4000-8000-000000000001", "from": "th", "to": "cn",
                       "agency": "KH-NP", "person": MING}).encode()
    with as_node("cn"):
        forged = client.post("/taxii2/federation/match/", data=body, content_type="application/json",
                             headers={"X-Liaison-Node": "th", "X-Liaison-Signature": keys.sign(KEYS["th"][0], body)})
        unsigned = client.post("/taxii2/federation/match/", data=body, content_type="application/json",
                               headers={"X-Liaison-Node": "th", "X-Liaison-Signature": keys.sign(KEYS["cn"][0], body)})
    assert forged.status_code == 403 and "not homed on node th" in forged.json()["title"]
    assert unsigned.status_code == 401
    assert not Screening.objects.exists() and not ScreeningHit.objects.exists()


def test_an_officer_asks_the_other_nodes_from_the_page(world, client, monkeypatch):
    import requests as http

    from django.test import Client

    from liaison.sharing.models import Role
    from tests.factories import login, make_user

    monkeypatch.setattr(http, "Session", lambda: Wire(Client(), "cn"))
    officer = make_user(world["th"], roles=[Role.ANALYST], first_name="Malee", last_name="Srisuk")
    viewer = make_user(world["th"], roles=[Role.VIEWER])
    with as_node("th"):
        login(client, viewer)
        assert client.get("/federation/ask/").status_code == 403
        assert 'href="/federation/ask/"' not in client.get("/").content.decode()  # no link to a page refused
        login(client, officer)
        assert 'href="/federation/ask/"' in client.get("/").content.decode()  # the menu offers it
        page = client.post("/federation/ask/", {"name": "MING XUE CHANG", "birth_date": "14/03/1955"}).content.decode()
    assert "Node cn: hit. Contact Agency CN-MPS (CN-MPS)" in page and "quote SCR-" in page
    assert "ZZSECRET" not in page and "明学昌" not in page
    assert "Malee Srisuk" in Notification.objects.get(agency=world["cn"], kind="screening_hit").body
