"""The TAXII 2.1 server, read with the taxii2-client library as a partner's platform would."""

import json

import pytest
import requests
from django.test import Client
from taxii2client.v21 import ApiRoot, Server, as_pages

from liaison.core.models import TLP
from liaison.interop import stix
from liaison.operations.models import Event
from liaison.registry.models import Person
from liaison.sharing.models import ApiToken, User
from liaison.sharing.visibility import protected_visible_q

pytestmark = pytest.mark.django_db


class DjangoAdapter(requests.adapters.BaseAdapter):
    """Sends taxii2-client's requests to the Django test client instead of the network."""

    def __init__(self):
        super().__init__()
        self.client = Client()

    def send(self, request, **kwargs):
        path = request.url.split("testserver", 1)[1]
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("accept", "authorization")}
        answer = self.client.generic(request.method, path, data=request.body or b"", headers=headers)
        response = requests.Response()
        response.status_code, response._content, response.url = answer.status_code, answer.content, request.url
        response.headers = requests.structures.CaseInsensitiveDict(answer.headers.items())
        response.request = request
        return response

    def close(self):
        pass


class TokenAuth(requests.auth.AuthBase):
    def __init__(self, key):
        self.key = key

    def __call__(self, request):
        request.headers["Authorization"] = f"Token {self.key}"
        return request


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Every requests session (taxii2-client makes its own per API root) talks to the test client."""
    adapter = DjangoAdapter()
    monkeypatch.setattr(requests.Session, "get_adapter", lambda self, url: adapter)


def token_auth(user):
    return TokenAuth(ApiToken.issue(user, "taxii test")[1])


def pull_all(collection, per_request):
    objects = []
    for envelope in as_pages(collection.get_objects, per_request=per_request):
        objects.extend(envelope.get("objects", []))
    return objects


def leaving(model, officer):
    """What ``officer`` sees in the browser, less what the onward-sharing rule keeps in Liaison
    (written out here, not through ``onward``): TLP:RED, another agency's H2/H3, and AMBER
    records that the officer's agency as such does not see."""
    from django.db.models import Q

    from liaison.interop.onward import RecipientAgency
    from liaison.sharing.visibility import filter_visible

    agency_sees = filter_visible(model.objects.all(), RecipientAgency(officer.agency)).values("pk")
    return (model.objects.visible_to(officer).exclude(tlp=TLP.RED)
            .exclude(Q(handling__in=("H2", "H3")) & ~Q(owner=officer.agency))
            .exclude(Q(tlp__in=("AMBER", "AMBER+STRICT")) & ~Q(pk__in=agency_sees)))


def test_a_taxii_client_as_th_rtp_sees_exactly_what_th_rtp_sees_in_the_browser(demo):
    officer = User.objects.get(username="th.officer")
    server = Server("http://testserver/taxii2/", auth=token_auth(officer))
    assert server.api_roots[0].url == "http://testserver/taxii2/liaison/"
    root = server.api_roots[0]
    agency = next(c for c in root.collections if c.title == "Shared with TH-RTP")
    assert agency.can_read and not agency.can_write
    objects = pull_all(agency, per_request=150)
    text = "".join(str(o) for o in objects)
    # Paging repeats no record (each page names the owner agencies of its records again).
    records = [o for o in objects if o.get("extensions", {}).get(stix.RECORD_EXTENSION, {}).get("liaison_type") != "agency"]
    assert len({o["id"] for o in records}) == len(records)

    browser = leaving(Person, officer)
    assert browser.exists() and {stix.sdo_id("identity", f"registry.person:{pk}") for pk in browser.values_list("pk", flat=True)} == {
        o["id"] for o in objects if o.get("identity_class") == "individual"}
    events = leaving(Event, officer).values_list("pk", flat=True)
    assert {stix.sdo_id("incident", f"operations.event:{pk}") for pk in events} == {
        o["id"] for o in objects if o["type"] == "incident"}
    # Nothing of the records TH-RTP cannot see, no name of a protected person it was not granted.
    unseen = Person.objects.exclude(pk__in=Person.objects.visible_to(officer)).exclude(display_name="")
    withheld = Person.objects.visible_to(officer).exclude(protection="").exclude(protected_visible_q(Person, officer))
    assert withheld.exists()
    for person in [*unseen[:50], *withheld]:
        # (unless TH-RTP may read the same name on another record, e.g. a granted namesake)
        readable = Person.objects.visible_to(officer).filter(protected_visible_q(Person, officer)) | \
            Person.objects.visible_to(officer).filter(protection="")
        if person.display_name and not readable.filter(names__full_name=person.display_name).exists():
            assert person.display_name not in text, person.display_name

    manifest = agency.get_manifest(limit=10)
    assert len(manifest["objects"]) >= 10 and manifest["more"] is True
    assert all(m["media_type"] == "application/stix+json;version=2.1" for m in manifest["objects"])


def test_collections_are_per_caller_and_need_a_token(demo):
    officer = User.objects.get(username="th.officer")
    stranger = User.objects.get(username="vn.consul")
    th_root = ApiRoot("http://testserver/taxii2/liaison/", auth=token_auth(officer))
    theirs = {c.id for c in th_root.collections}
    vn_root = ApiRoot("http://testserver/taxii2/liaison/", auth=token_auth(stranger))
    for cid in theirs - {c.id for c in vn_root.collections}:
        answer = Client().get(f"/taxii2/liaison/collections/{cid}/objects/",
                              HTTP_AUTHORIZATION=f"Token {ApiToken.issue(stranger, 'x')[1]}")
        assert answer.status_code == 404 and answer["Content-Type"] == "application/taxii+json;version=2.1"
    answer = Client().get("/taxii2/liaison/collections/")
    assert answer.status_code == 401 and answer.json()["http_status"] == "401"


def _walk(officer, loader, limit=1000):
    """Every object of ``officer``'s agency collection, page after page, records read by ``loader``."""
    from liaison.interop import taxii

    objects, cursor = [], None
    while True:
        records, more, nxt, _first_last, audience = taxii.page_of_records(officer, None, cursor=cursor, loader=loader,
                                                                           limit=limit)
        objects.extend(taxii.page_objects(records, audience)[0])
        if not more:
            return objects
        cursor = taxii.decode_cursor(nxt)


def test_pages_read_as_tuples_are_the_objects_the_model_path_writes_and_valid_stix(demo):
    """The fast path (``stix.load_rows``: tuples, no model instances) cannot change an answer: every
    object of a partner's pages equals the model path's (every kind and marking of the demo, protected
    identities withheld), and so does every kind for a named recipient that may read protected
    identities (the file export's audience); what the server sends passes stix2-validator."""
    from liaison.interop import onward
    from tests.interop.stixcheck import validate_bundle

    officer = User.objects.get(username="th.officer")
    fast, slow = _walk(officer, stix.load_rows), _walk(officer, stix.load)
    assert fast == slow
    # Pages of 150 (a page that is settled before a kind's visibility filter is built skips it)
    # carry the same records as one page, each once (the owner identities aside, which every page
    # names again; a page lists its records kind by kind).
    def records(objects):
        return sorted(o["id"] for o in objects
                      if o.get("extensions", {}).get(stix.RECORD_EXTENSION, {}).get("liaison_type") != "agency")

    assert records(_walk(officer, stix.load_rows, limit=150)) == records(fast)
    assert isinstance(stix.load_rows(Person, [Person.objects.visible_to(officer).first().pk])[0], stix._Row)
    kinds = {o["extensions"][stix.RECORD_EXTENSION].get("liaison_type") for o in fast if "extensions" in o}
    assert {"person", "organisation", "site", "identifier", "relationship", "event", "operation"} <= kinds
    assert {stix.TLP_MARKINGS[t] for t in ("CLEAR", "GREEN", "AMBER")} <= {
        m for o in fast for m in o.get("object_marking_refs", ())}
    withheld = [o for o in fast if o.get("extensions", {}).get(stix.RECORD_EXTENSION, {}).get("protected")]
    assert withheld and all(o["name"] == "[protected identity withheld]" and "names" not in
                            o["extensions"][stix.RECORD_EXTENSION] for o in withheld)
    assert any(o["type"] == "threat-actor" for o in fast) and any(o.get("aliases") for o in fast)
    # A named recipient that may read protected identities (the file export's audience): the same.
    officer = User.objects.get(username="mm.officer")
    audience = onward.OnwardAudience(officer, officer.agency)
    for model in stix._models():
        pks = list(audience.narrow(model.objects.all()).order_by("pk").values_list("pk", flat=True))
        fast = list(stix.StixWriter(audience).objects(model, stix.load_rows(model, pks)))
        slow = list(stix.StixWriter(audience).objects(model, stix.load(model, pks)))
        assert fast == slow, model
    assert any(o.get("identity_class") == "individual" and o["extensions"][stix.RECORD_EXTENSION].get("protection")
               for o in stix.StixWriter(audience).objects(Person, stix.load_rows(
                   Person, audience.narrow(Person.objects.exclude(protection="")).values_list("pk", flat=True))))

    # What the server sends (orjson) is valid STIX 2.1, first page to last.
    th = User.objects.get(username="th.officer")
    client = Client(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(th, 'x')[1]}")
    from liaison.interop.taxii import collection_uuid

    url = f"/taxii2/liaison/collections/{collection_uuid('agency', th.agency_id)}/objects/"
    params, served = {"limit": 1000}, []
    while True:
        answer = client.get(url, params)
        assert answer.status_code == 200 and answer["Content-Type"] == "application/taxii+json;version=2.1"
        body = json.loads(answer.content)
        served.extend(body.get("objects", []))
        if not body["more"]:
            break
        params = {"limit": 1000, "next": body["next"]}
    bundle = {"type": "bundle", "id": "bundle--7e0d1b4c-3f0a-4a39-9c43-3a8a1c1f6d52", "objects": served}
    assert len(validate_bundle(json.dumps(bundle, ensure_ascii=False))["objects"]) > 100
