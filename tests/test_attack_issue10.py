"""Issue 10, second attack: an officer of another agency (TH) trying to learn a
protected victim's identity, or anything of a record it may not see, through
the surfaces the first round of fixes left open.

The world: KH owns a protected victim shared with every member agency, without
the protected fields; TH is a member and may see the record, not her identity.
KH's officers wrote her name into free-text notes around her (a status note,
an event participant's note), as officers do.
"""
import pytest
from django.test import Client
from rest_framework.test import APIClient

from liaison.operations.models import Event, Participant
from liaison.registry.models import PersonStatus
from liaison.sharing.models import Role
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db

NAME = "Zorqa Velmira"
MARK = "Zorqa"


@pytest.fixture
def w():
    kh, th = make_agency("KH-A", "KH"), make_agency("TH-A", "TH")
    victim = make_person(kh, NAME, distribution="members", protection="victim")
    secret = make_person(kh, "Owner Only Boss")  # owner only: TH may not see it at all
    PersonStatus.objects.create(person=victim, status="in_custody", note=f"{NAME} rescued at the compound")
    event = Event.objects.create(owner=kh, kind="rescue", title="Rescue at the compound", distribution="members")
    Participant.objects.create(event=event, person=victim, role="victim", note=f"{NAME}, 17, from Nakhon Phanom")
    Participant.objects.create(event=event, person=secret, role="leader", note="Secretq boss of the compound")
    return dict(kh=kh, th=th, victim=victim, secret=secret, event=event,
                kh_user=make_user(kh), th_user=make_user(th, roles=(Role.ANALYST, Role.LIAISON_OFFICER)))


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_status_note_does_not_name_a_withheld_victim(w):
    """Attack: TH opens the victim's page and `GET /api/persons/<id>/`. Her name,
    phone and documents are withheld, but the free-text note of her status
    ("Zorqa Velmira rescued at the compound") was shown as written."""
    v = w["victim"]
    th_web, th_api = login(Client(), w["th_user"]), _api(w["th_user"])
    page = th_web.get(f"/persons/{v.pk}/").content.decode()
    assert "Protected identity" in page
    assert MARK not in page
    body = th_api.get(f"/api/persons/{v.pk}/").content.decode()
    assert MARK not in body
    listing = th_api.get("/api/persons/").content.decode()
    assert MARK not in listing
    # The status itself is not an identity: it stays.
    assert "in_custody" in body
    # The owner still reads its note.
    assert MARK in login(Client(), w["kh_user"]).get(f"/persons/{v.pk}/").content.decode()


def test_participant_note_does_not_name_a_withheld_or_hidden_person(w):
    """Attack: TH opens the rescue event (`/events/<id>/`, `GET /api/events/<id>/`).
    The victim is listed as "Protected identity", the owner-only boss as "a
    record you cannot see", but each participant's note was shown as written:
    "Zorqa Velmira, 17, ..." and "Secretq boss of the compound"."""
    ev = w["event"]
    page = login(Client(), w["th_user"]).get(f"/events/{ev.pk}/").content.decode()
    body = _api(w["th_user"]).get(f"/api/events/{ev.pk}/").content.decode()
    for text in (page, body):
        assert MARK not in text
        assert "Secretq" not in text
    assert "Protected" in body
    owner_body = _api(w["kh_user"]).get(f"/api/events/{ev.pk}/").content.decode()
    assert MARK in owner_body and "Secretq" in owner_body


# --- Third round (brief F2): surfaces the first two rounds did not reach ------------

def test_citation_evidence_does_not_name_a_withheld_victim(w):
    """Attack: KH cites its report on the victim, quoting the words that state the
    fact ("Zorqa Velmira told us", page 4). TH may read the report and the victim's
    record, not her identity; the quoted words were shown as written on her page,
    on the report's "cited by" list, in `GET /api/persons/<id>/` and in
    `GET /api/citations/`, naming her (and the location points into the report's
    text at the passage that does)."""
    from liaison.registry.models import Citation, Source

    v = w["victim"]
    report = Source.objects.create(owner=w["kh"], title="KH interview report", distribution="members")
    Citation.objects.create(source=report, record=v, evidence=f"{NAME} told us", location="page 4, para 2")
    th_web, th_api = login(Client(), w["th_user"]), _api(w["th_user"])
    texts = [
        th_web.get(f"/persons/{v.pk}/").content.decode(),
        th_web.get(f"/sources/{report.pk}/").content.decode(),
        th_api.get(f"/api/persons/{v.pk}/").content.decode(),
        th_api.get("/api/persons/").content.decode(),
        th_api.get("/api/citations/").content.decode(),
        th_api.get(f"/api/citations/?record_type=person&record_id={v.pk}").content.decode(),
    ]
    for text in texts:
        assert MARK not in text
        assert "para 2" not in text
    # The citation itself (which report supports the record) stays.
    assert "KH interview report" in texts[0]
    # The owner reads the quote.
    assert MARK in login(Client(), w["kh_user"]).get(f"/persons/{v.pk}/").content.decode()
    assert MARK in _api(w["kh_user"]).get("/api/citations/").content.decode()


def test_malformed_ids_in_sharing_and_team_forms_are_not_server_errors(w):
    """Attack: on the sharing page of a record, POST `action=unshare&share=abc`;
    on an operation's team page (as agency administrator) POST
    `action=end&assignment=abc`. Both answered 500 (a ValueError from the
    database lookup) where a missing id answers 404."""
    from liaison.operations.models import Operation

    operation = Operation.objects.create(owner=w["kh"], name="Joint op", distribution="members")
    kh_admin = make_user(w["kh"], roles=(Role.AGENCY_ADMIN, Role.ANALYST, Role.LIAISON_OFFICER))
    for user in (w["kh_user"], kh_admin):
        client = login(Client(), user)
        client.raise_request_exception = False
        for value in ("abc", "1.5", "-1", "²"):
            answer = client.post(f"/sharing/registry.person/{w['victim'].pk}/", {"action": "unshare", "share": value})
            assert answer.status_code == 404, (value, answer.status_code)
    client = login(Client(), kh_admin)
    client.raise_request_exception = False
    for value in ("abc", "1.5", "-1", "²"):
        answer = client.post(f"/operations/{operation.pk}/team/", {"action": "end", "assignment": value})
        assert answer.status_code == 404, (value, answer.status_code)


def test_source_page_does_not_count_records_the_reader_cannot_see(w):
    """Attack: TH publishes a report; KH cites it on its owner-only record of the
    compound boss. TH opens its own report (`/sources/<id>/`): "Cited by" listed
    "a record you cannot see", telling TH that another agency holds a hidden
    record built on its report (and how many). `GET /api/citations/?source=<id>`
    rightly says nothing: a citation exists for a reader only when both its
    source and its record are visible."""
    from liaison.registry.models import Citation, Source

    report = Source.objects.create(owner=w["th"], title="TH rescue report", distribution="members")
    Citation.objects.create(source=report, record=w["secret"], evidence="the boss gave the orders")
    page = login(Client(), w["th_user"]).get(f"/sources/{report.pk}/").content.decode()
    assert "cannot see" not in page
    assert "boss gave" not in page
    assert "No record cites this source yet" in page
    assert _api(w["th_user"]).get(f"/api/citations/?source={report.pk}").json()["count"] == 0
    # KH, which holds the record, sees its citation on the report.
    assert "boss gave" in login(Client(), w["kh_user"]).get(f"/sources/{report.pk}/").content.decode()


def test_a_nul_character_in_a_picker_query_is_not_a_server_error(w):
    """Attack: `GET /pick/link-targets/?q=%00` answered 500 on PostgreSQL (which
    refuses NUL in a text parameter) with the identifier lookup's traceback in
    the log. A query with a NUL matches nothing more than the query without it."""
    client = login(Client(), w["th_user"])
    client.raise_request_exception = False
    for kind in ("persons", "link-targets"):
        answer = client.get(f"/pick/{kind}/", {"q": "\x00"})
        assert answer.status_code == 200, (kind, answer.status_code)
        assert answer.json() == client.get(f"/pick/{kind}/", {"q": ""}).json()


def test_cluster_page_does_not_repeat_a_merge_note_about_a_hidden_record(w):
    """Attack: KH merges its owner-only record of the boss with a TH record,
    noting "same as our Secretq file"; TH then merges its record with one of VN.
    VN opens the cluster (`/matching/clusters/<id>/`): it sees TH's and VN's
    records only, but each membership said "Added by <KH officer's user name>
    — same as our Secretq file": the note written about a pair VN may not see
    (it names the hidden record) and the user name of another agency's officer."""
    from liaison.matching import services as matching
    from liaison.matching.models import Entity
    from tests.matching.conftest import make_pair

    vn = make_agency("VN-A", "VN")
    vn_user = make_user(vn, roles=(Role.ANALYST,))
    th_person = make_person(w["th"], "Common Person", distribution="members")
    vn_person = make_person(vn, "Common Persen", distribution="members")
    matching.merge(w["kh_user"], make_pair(w["secret"], th_person), note="same as our Secretq file")
    matching.merge(w["th_user"], make_pair(th_person, vn_person), note="checked by TH")
    entity = Entity.objects.get()
    page = login(Client(), vn_user).get(f"/matching/clusters/{entity.pk}/").content.decode()
    assert "Common Person" in page and "Common Persen" in page
    assert "Secretq" not in page
    assert w["kh_user"].get_username() not in page
    assert w["th_user"].get_username() not in page  # another agency's officer: its agency is named instead
    assert "TH-A" in page
    # KH, which wrote the note and may see both records of its pair, still reads it.
    kh_page = login(Client(), w["kh_user"]).get(f"/matching/clusters/{entity.pk}/").content.decode()
    assert "Secretq" in kh_page and w["kh_user"].get_username() in kh_page


def test_pair_page_names_other_agencies_officers_only_by_agency():
    """Attack (second round, low): the pair page showed the user name of the other
    agency's officer who decided it, where every other page says "an officer of X"."""
    from django.test import Client

    from liaison.matching import services as matching
    from liaison.matching.models import CandidatePair
    from liaison.sharing.models import Role
    from tests.factories import login, make_agency, make_person, make_user

    cn, th = make_agency("CN-P", "CN"), make_agency("TH-P", "TH")
    a = make_person(cn, "Ming Xuechang", distribution="members")
    b = make_person(th, "Xuechang Ming", distribution="members")
    cn_user = make_user(cn, roles=(Role.ANALYST,), username="cn.secret.name")
    th_user = make_user(th, roles=(Role.ANALYST,))
    left, right = (a, b) if a.pk < b.pk else (b, a)
    pair = CandidatePair.objects.create(person_a=left, person_b=right, probability=0.97, match_weight=5)
    matching.reject(cn_user, pair, note="different people")
    page = login(Client(), th_user).get(f"/matching/pairs/{pair.pk}/").content.decode()
    assert "cn.secret.name" not in page
    assert "an officer of CN-P" in page
