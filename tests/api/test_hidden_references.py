"""Issue 10, leaks 8 and 9 of the API: hidden ends and ids, 409 on delete,
500s for huge numbers and deeply nested JSON."""
import pytest
from django.contrib.contenttypes.models import ContentType
from rest_framework.test import APIClient

from liaison.operations.models import Event, Operation, Phase
from liaison.registry.models import Citation, Organisation, Person, Relationship, Site, Source
from liaison.sharing import services
from liaison.sharing.models import Role
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    cn, th = make_agency("CN-A", "CN"), make_agency("TH-A", "TH")
    hidden_site = Site.objects.create(owner=cn, name="Covert compound", country_id="MM")
    hidden_op = Operation.objects.create(owner=cn, name="Covert op")
    hidden_phase = Phase.objects.create(operation=hidden_op, number=1)
    hidden_org = Organisation.objects.create(owner=cn, name="Covert family")
    a = make_person(cn, "Visible A", distribution="members")
    b = make_person(cn, "Visible B", distribution="members")
    ct = ContentType.objects.get_for_model
    rels = [
        Relationship.objects.create(owner=cn, kind="associate_of", distribution="members", subject_type=ct(Person),
                                    subject_id=p.pk, object_type=ct(Site), object_id=hidden_site.pk)
        for p in (a, b)
    ]
    event = Event.objects.create(owner=cn, kind="raid", title="Visible raid", distribution="members",
                                 operation=hidden_op, phase=hidden_phase, site=hidden_site)
    site = Site.objects.create(owner=cn, name="Visible site", country_id="MM", operator=hidden_org, distribution="members")
    return dict(cn=cn, th=th, hidden_site=hidden_site, hidden_op=hidden_op, hidden_phase=hidden_phase,
                hidden_org=hidden_org, rels=rels, event=event, site=site,
                th_user=make_user(th), cn_lo=make_user(cn, roles=(Role.ANALYST, Role.LIAISON_OFFICER)))


def test_filtering_by_a_hidden_end_answers_like_a_missing_one(w):
    api = login(APIClient(), w["th_user"])
    hidden = w["hidden_site"].pk
    missing = hidden + 1000
    for q in ("object_type=site&object_id={}", "object_id={}", "subject_type=site&subject_id={}"):
        a, b = api.get("/api/relationships/?" + q.format(hidden)), api.get("/api/relationships/?" + q.format(missing))
        assert a.status_code == b.status_code == 200
        assert a.json()["count"] == b.json()["count"] == 0, q
    assert api.get(f"/api/events/?site={hidden}").json()["count"] == 0
    assert api.get(f"/api/events/?operation={w['hidden_op'].pk}").json()["count"] == 0
    assert api.get(f"/api/events/?phase={w['hidden_phase'].pk}").json()["count"] == 0
    assert api.get(f"/api/sites/?operator={w['hidden_org'].pk}").json()["count"] == 0
    # The owner's own filter still works.
    cn = login(APIClient(), w["cn_lo"])
    assert cn.get(f"/api/relationships/?object_type=site&object_id={hidden}").json()["count"] == 2
    assert cn.get(f"/api/events/?site={hidden}").json()["count"] == 1


def test_invisible_references_are_null_not_ids(w):
    api = login(APIClient(), w["th_user"])
    event = api.get(f"/api/events/{w['event'].pk}/").json()
    assert event["operation"] is None and event["phase"] is None
    assert str(w["hidden_op"].pk) not in str(event.get("site"))
    site = api.get(f"/api/sites/{w['site'].pk}/").json()
    assert site["operator"] is None
    cn = login(APIClient(), w["cn_lo"]).get(f"/api/events/{w['event'].pk}/").json()
    assert cn["operation"] == w["hidden_op"].pk and cn["phase"] == w["hidden_phase"].pk


def test_delete_refusal_does_not_depend_on_other_agencies_references(w):
    """A shared source cited by TH on TH's own owner-only record, and one nobody cited:
    the owner gets the same answer for both."""
    th_person = make_person(w["th"], "TH private")
    cited, uncited = (Source.objects.create(owner=w["cn"], title=t, distribution="members") for t in ("Cited", "Uncited"))
    Citation.objects.create(source=cited, record=th_person, evidence="x")
    api = login(APIClient(), w["cn_lo"])
    a, b = api.delete(f"/api/sources/{cited.pk}/"), api.delete(f"/api/sources/{uncited.pk}/")
    assert a.status_code == b.status_code == 409
    assert a.json() == b.json()
    assert "Retract" in a.json()["detail"]
    # A record nobody else could see can still be deleted.
    own = Source.objects.create(owner=w["cn"], title="Draft", distribution="owner")
    assert api.delete(f"/api/sources/{own.pk}/").status_code == 204


@pytest.mark.parametrize("url", [
    "/api/persons/{big}/", "/api/events/?operation={big}", "/api/relationships/?subject_id={big}",
    "/api/phases/?number={big}", "/api/citations/?record_id={big}",
])
def test_huge_numbers_are_bad_input_not_500(w, url):
    api = login(APIClient(), w["th_user"])
    response = api.get(url.format(big=10**30))
    assert response.status_code in (200, 400, 404), response.content
    if response.status_code == 200:
        assert response.json()["count"] == 0


def test_huge_id_in_a_body_is_a_clear_400(w):
    api = login(APIClient(), w["cn_lo"])
    response = api.post("/api/events/", {"kind": "raid", "title": "x", "operation": 10**30}, format="json")
    assert response.status_code == 400
    response = api.post("/api/citations/", {"source": 10**30, "record_type": "person", "record_id": 10**30,
                                           "evidence": "x"}, format="json")
    assert response.status_code == 400


def test_deeply_nested_json_is_a_clear_400(w):
    api = login(APIClient(), w["cn_lo"])
    body = "[" * 100_000 + "]" * 100_000
    response = api.generic("POST", "/api/persons/", body, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_huge_id_in_page_address_is_404(w):
    from django.test import Client

    page = login(Client(), w["th_user"])
    assert page.get(f"/persons/{10**30}/").status_code == 404
    assert page.get(f"/persons/?owner={10**30}").status_code in (200, 400)
