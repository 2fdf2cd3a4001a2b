"""The TAXII 2.1 server, read with the taxii2-client library as a partner's platform would."""

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
