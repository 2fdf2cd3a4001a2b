"""No double submits, the server's half (issue 18): a form that creates something sent
twice (a double click, the browser resending a slow page) creates it once, and a
request step sent twice is taken once; the repeat is told so, not shown an error."""
import re

import pytest
from django.urls import reverse

from liaison.matching.models import CandidatePair, PairDecision
from liaison.registry.models import Person
from liaison.requests import services as s
from liaison.requests.models import Request, Step
from liaison.tasks.models import SubmittedForm
from tests.factories import login
from tests.matching.conftest import build as build_world
from tests.matching.conftest import make_pair
from tests.matching.forms import press
from tests.requests.conftest import REPATRIATION_FIELDS, build_desk

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="once" value="([^"]+)"')


@pytest.fixture
def desk(db):
    return build_desk()


@pytest.fixture
def world(db):
    return build_world()


def draft_data(desk, token):
    return {"title": "Repatriate three", "to_agency": desk.kh.pk, "body": "", "tlp": "AMBER",
            "persons": [p.pk for p in desk.persons], "f_planned_date": "2099-03-01", "f_border_crossing": "Bavet",
            "f_transport": "road", "once": token}


def token_of(client, url):
    return TOKEN.search(client.get(url).content.decode()).group(1)


def test_a_new_request_sent_twice_is_one_draft_and_the_repeat_opens_it(client, desk):
    login(client, desk.vn_lo)
    url = reverse("requests:new", args=["repatriation"])
    token = token_of(client, url)
    first = client.post(url, draft_data(desk, token))
    second = client.post(url, draft_data(desk, token), follow=True)
    req = Request.objects.get()
    assert first["Location"] == second.redirect_chain[0][0] == reverse("requests:detail", args=[req.pk])
    assert "already sent and saved" in second.content.decode()
    # A new page is a new form: a second draft is made on purpose.
    client.post(url, draft_data(desk, token_of(client, url)))
    assert Request.objects.count() == 2


def test_a_refused_form_keeps_its_token_free_for_the_corrected_one(client, desk):
    login(client, desk.vn_lo)
    url = reverse("requests:new", args=["repatriation"])
    token = token_of(client, url)
    refused = client.post(url, {**draft_data(desk, token), "f_transport": "camel"})
    assert refused.status_code == 400 and f'value="{token}"' in refused.content.decode()
    assert client.post(url, draft_data(desk, token)).status_code == 302 and Request.objects.count() == 1


def test_another_officers_token_leads_nowhere_near_their_record(client, desk):
    """Tokens are per officer: replaying a colleague's or another agency's never opens their draft."""
    login(client, desk.vn_lo)
    url = reverse("requests:new", args=["repatriation"])
    token = token_of(client, url)
    client.post(url, draft_data(desk, token))
    vn_draft = Request.objects.get()
    login(client, desk.kh_lo)
    answer = client.post(url, {**draft_data(desk, token), "to_agency": desk.vn.pk, "persons": []})
    assert answer.status_code == 302 and answer["Location"] != reverse("requests:detail", args=[vn_draft.pk])
    assert Request.objects.filter(from_agency=desk.kh).count() == 1
    assert SubmittedForm.objects.count() == 2


def test_send_pressed_twice_sends_once_and_says_so(client, desk):
    req = s.create_request(desk.vn_lo, kind="repatriation", to_agency=desk.kh, title="Eight nationals",
                           persons=desk.persons, fields=REPATRIATION_FIELDS)
    login(client, desk.vn_lo)
    url = reverse("requests:step", args=[req.pk, "send"])
    assert client.post(url, {"version": req.version}).status_code == 302
    again = client.post(url, {"version": req.version}, follow=True)
    assert again.status_code == 200 and "you sent this step twice, it was taken once" in again.content.decode()
    assert Step.objects.filter(request=req, action="send").count() == 1
    req.refresh_from_db()
    assert req.status == "sent" and req.version == 2


def test_a_stale_step_by_someone_else_is_still_refused(client, desk):
    req = s.create_request(desk.vn_lo, kind="repatriation", to_agency=desk.kh, title="Eight nationals",
                           persons=desk.persons, fields=REPATRIATION_FIELDS)
    version = req.version
    s.transition(desk.vn_lo, req, "send", version=version)
    login(client, desk.kh_lo)
    answer = client.post(reverse("requests:step", args=[req.pk, "acknowledge"]), {"version": version})
    assert answer.status_code == 409


def test_a_new_person_saved_twice_is_one_person(client, world):
    login(client, world.cn_analyst)
    form = client.get("/persons/new/").content.decode()
    before = Person.objects.count()
    typed = {"names-0-full_name": "Somchai Test", "birth_date": "1990", "sex": "male"}
    first = press(client, form, "Save", typed=typed, at="/persons/new/")
    second = press(client, form, "Save", typed=typed, at="/persons/new/")
    assert Person.objects.count() == before + 1
    person = Person.objects.latest("pk")
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert second["Location"] == f"/persons/{person.pk}/"  # not "a possible duplicate": the same form


def test_merge_pressed_twice_decides_once(client, world):
    pair = make_pair(world.cn_ming, world.mm_ming)
    login(client, world.cn_analyst)
    page = client.get(f"/matching/pairs/{pair.pk}/").content.decode()
    press(client, page, "Same person: merge")
    again = press(client, page, "Same person: merge")
    assert again.status_code == 302
    assert CandidatePair.objects.get().status == "merged"
    assert PairDecision.objects.filter(pair=pair).count() == 1
