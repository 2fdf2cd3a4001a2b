"""Searchable pickers (issue 10): the JSON endpoint behind them, and the forms
that use them (a request's persons, "Link to…").

The endpoint is one more way into the registry: it must find nothing the user
may not see, never match a withheld name, and answer "not visible" exactly as
"no match"."""
import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from liaison.registry.models import Organisation, Person, Relationship
from liaison.web import pickers
from tests.factories import login, make_person

pytestmark = pytest.mark.django_db


def pick(client, kind, q=""):
    response = client.get(f"/pick/{kind}/", {"q": q})
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "application/json"
    return response.json()


def texts(answer):
    return [r["text"] for r in answer["results"]]


def test_needs_a_logged_in_user(world):
    response = Client().get("/pick/persons/", {"q": "Ming"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert b"Ming" not in response.content


def test_unknown_kind_is_404(as_cn):
    assert as_cn.get("/pick/agencies-secret/").status_code == 404


def test_persons_found_by_name_in_any_script_with_status_nationality_owner(as_cn, world):
    answer = pick(as_cn, "persons", "明国平")
    [guoping] = answer["results"]
    assert guoping["value"] == str(world.guoping.pk) and guoping["text"] == "Ming Guoping"
    # Enough to choose between two "Ming"s: current status, nationalities, owner agency.
    assert "In custody" in guoping["detail"]
    assert "Myanmar" in guoping["detail"] and "Cambodia" in guoping["detail"]
    assert "MPS" in guoping["detail"]
    assert set(texts(pick(as_cn, "persons", "ming"))) >= {"Ming Guoping", "Ming Xuechang"}


def test_withheld_name_finds_nothing_and_looks_like_no_match(as_mm, world):
    """Myanmar may see the victim's record (members) but not her identity: typing
    her name must not find her, and the answer must equal "nothing matches"
    and "a record you may not see" (the owner-only suspect)."""
    withheld = pick(as_mm, "persons", "Victim Real Name")
    invisible = pick(as_mm, "persons", "Owner Only Suspect")
    nothing = pick(as_mm, "persons", "Nobody By This Name")
    assert withheld == invisible == nothing == {"results": []}
    # Part of the name, and in the link picker too.
    assert pick(as_mm, "persons", "Real") == {"results": []}
    assert "Victim" not in str(pick(as_mm, "link-targets", "Victim"))


def test_withheld_person_offered_only_under_a_neutral_label(as_mm, world):
    answer = pick(as_mm, "persons", "")
    labels = texts(answer)
    assert f"Protected identity #{world.victim.pk}" in labels
    body = str(answer)
    assert "Victim Real Name" not in body
    # Invisible records never appear, not even unnamed.
    assert str(world.secret.pk) not in [r["value"] for r in answer["results"]]
    assert "Owner Only" not in body
    # A record number finds a visible protected person, still without a name.
    assert texts(pick(as_mm, "persons", f"#{world.victim.pk}")) == [f"Protected identity #{world.victim.pk}"]
    assert pick(as_mm, "persons", f"#{world.secret.pk}") == {"results": []}


def test_owner_finds_its_own_protected_person_by_name(as_cn, world):
    assert texts(pick(as_cn, "persons", "Victim Real")) == ["Victim Real Name"]


def test_withheld_names_do_not_set_the_order(world):
    """Sorted by ``sort_name``: every withheld identity sorts as "", so their
    order is the record number's whatever the hidden names are."""
    cn = world.cn
    zed = make_person(cn, "Zed Protected", distribution="members", protection="witness")
    abe = make_person(cn, "Abe Protected", distribution="members", protection="witness")
    c = login(Client(), world.mm_user)
    values = [r["value"] for r in pick(c, "persons", "")["results"]]
    protected = [v for v in values if int(v) in (world.victim.pk, zed.pk, abe.pk)]
    assert protected == sorted(protected, key=int)


def test_at_most_twenty_answers(world):
    for i in range(25):
        make_person(world.cn, f"Ming Test {i:02}", distribution="members")
    c = login(Client(), world.mm_user)
    assert len(pick(c, "persons", "Ming")["results"]) == pickers.LIMIT
    assert len(pick(c, "link-targets", "Ming")["results"]) <= pickers.LIMIT


def test_link_targets_by_type_with_content_type_values(as_mm, world):
    answer = pick(as_mm, "link-targets", "Ming")
    by_text = {r["text"]: r for r in answer["results"]}
    org_ct = ContentType.objects.get_for_model(Organisation).pk
    assert by_text["Ming family"]["value"] == f"{org_ct}:{world.family.pk}"
    assert by_text["Ming family"]["optgroup"] == "Organisations"
    person_ct = ContentType.objects.get_for_model(Person).pk
    assert by_text["Ming Guoping"]["value"] == f"{person_ct}:{world.guoping.pk}"
    # A phone number by part of it.
    assert any(world.phone.normalized in t for t in texts(pick(as_mm, "link-targets", "0013")))
    assert "Owner Only" not in str(pick(as_mm, "link-targets", "Owner"))


# The forms -----------------------------------------------------------------


def request_form(user, data=None):
    from liaison.requests.forms import RequestForm

    return RequestForm(data, kind="handover", user=user)


def request_data(world, persons):
    return {"title": "Handover", "to_agency": world.cn.pk, "tlp": "AMBER", "persons": persons}


def test_request_form_offers_a_remote_person_picker(world):
    html = str(request_form(world.mm_user)["persons"])
    assert 'data-picker="remote"' in html and 'data-picker-url="/pick/persons/"' in html
    assert f"Protected identity #{world.victim.pk}" in html
    assert "Victim Real Name" not in html and "Owner Only" not in html
    assert "Hold Ctrl" not in str(request_form(world.mm_user).fields["persons"].help_text)


def test_request_form_refuses_an_invisible_person_like_a_missing_one(world):
    invisible = request_form(world.mm_user, request_data(world, [world.secret.pk]))
    missing = request_form(world.mm_user, request_data(world, [999999]))
    assert not invisible.is_valid() and not missing.is_valid()
    assert invisible.errors["persons"] == [e.replace("999999", str(world.secret.pk)) for e in missing.errors["persons"]]
    ok = request_form(world.mm_user, request_data(world, [world.guoping.pk, world.victim.pk]))
    assert ok.is_valid(), ok.errors
    assert ok.cleaned_data["persons"] == [world.guoping.pk, world.victim.pk]


def test_person_found_by_search_beyond_the_listed_ones_is_accepted_and_shown(world, monkeypatch):
    """The page lists the first few; one found by typing is valid, and the form
    shown again keeps it chosen, labelled as the user may see it."""
    monkeypatch.setattr(pickers, "FIRST", 1)
    form = request_form(world.mm_user, request_data(world, [world.guoping.pk, world.victim.pk]))
    assert form.is_valid(), form.errors
    html = str(form["persons"])
    assert html.count("selected") == 2
    assert "Ming Guoping" in html and f"Protected identity #{world.victim.pk}" in html
    assert "Victim Real Name" not in html


def test_link_form_accepts_a_visible_target_and_refuses_an_invisible_one(world):
    from liaison.web.forms import RelationshipForm

    person_ct = ContentType.objects.get_for_model(Person).pk

    def form(target):
        return RelationshipForm(
            {"direction": "out", "kind": "associate_of", "target": target, "distribution": "owner", "tlp": "AMBER",
             "handling": "H0", "accuracy": "3"},
            instance=Relationship(owner_id=world.mm.pk, created_by=world.mm_user), user=world.mm_user, anchor=world.site,
        )

    ok = form(f"{person_ct}:{world.guoping.pk}")
    ok.is_valid()
    assert "target" not in ok.errors, ok.errors
    for bad in (f"{person_ct}:{world.secret.pk}", f"{person_ct}:999999", "nonsense", "1:1"):
        assert "target" in form(bad).errors, bad


def test_link_page_renders_the_picker_not_hundreds_of_options(world):
    c = login(Client(), world.cn_user)
    page = c.get(f"/sites/{world.site.pk}/link/").content.decode()
    assert 'data-picker="remote"' in page and 'data-picker-url="/pick/link-targets/"' in page
    assert "web/picker.js" in page and "vendor/tom-select/tom-select.complete.min.js" in page


def test_pages_load_no_external_script(as_cn, world):
    page = as_cn.get(f"/persons/{world.guoping.pk}/").content.decode()
    assert "<script src=\"http" not in page and "<script>" not in page
