"""Search that uses the matcher (issue 13): one person found however he is written.

A name in any script or order finds every visible record of that person,
ranked by the matcher's score, with the identity cluster's other records
next to it; a phone in its national form and the start of a wallet or account
number find the identifier. Never a record the user may not see, and never a
protected identity by its name.
"""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from liaison.matching.models import Entity, EntityMember
from liaison.matching.services import match_persons
from liaison.registry.models import Identifier
from liaison.registry.search import search
from liaison.sharing.models import Share
from tests.factories import login, make_agency, make_person, make_user

pytestmark = pytest.mark.django_db

TRON = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"


def indexed(*persons):
    """Blocking keys are kept after the commit on arrival; tests run in one transaction, so build them here."""
    match_persons([p.pk for p in persons])
    return persons


@pytest.fixture
def world():
    cn, th = make_agency("MPS", "CN"), make_agency("RTP", "TH")
    mpf, muse, other = make_agency("MPF", "MM"), make_agency("MUSE", "MM"), make_agency("DH", "CN")
    w = {"cn": cn, "th": th, "mpf": mpf, "muse": muse, "other": other,
         "th_officer": make_user(th), "cn_analyst": make_user(cn), "mm_user": make_user(mpf)}
    w["julan_cn"] = make_person(cn, "Ming Julan", "明菊兰", distribution="members")
    w["julan_th"] = make_person(th, "MING JU LAN", "หมิง จวี๋หลาน", distribution="owner", sex="female")
    w["xuechang_cn"] = make_person(cn, "Ming Xuechang", "明学昌", distribution="members")
    w["xuechang_mpf"] = make_person(mpf, "Xuechang Ming", distribution="shared")
    w["xuechang_muse"] = make_person(muse, "MING XUE CHANG", distribution="shared")
    for p in (w["xuechang_mpf"], w["xuechang_muse"]):
        Share.objects.create(record=p, agency=cn)
    # The same man in a record nobody outside its owner sees, and as a protected identity (a witness).
    w["xuechang_hidden"] = make_person(other, "Xuechang Ming", distribution="owner")
    w["xuechang_witness"] = make_person(other, "MING XUE CHANG", distribution="members", protection="witness")
    w["guoping"] = make_person(cn, "Ming Guoping", "明国平", distribution="members")
    indexed(*(v for v in w.values() if hasattr(v, "names")))
    return w


def person_ids(results):
    return [p.pk for p in results.persons]


class TestNameInAnyScriptOrOrder:
    @pytest.mark.parametrize("query", ["明菊兰", "Ming Julan", "Julan Ming", "ming ju-lan", "明菊蘭"])
    def test_thai_officer_finds_cn_record_and_his_own(self, world, query):
        found = person_ids(search(world["th_officer"], query))
        assert set(found) == {world["julan_cn"].pk, world["julan_th"].pk}

    @pytest.mark.parametrize("query", ["Ming Xuechang", "Xuechang Ming", "MING XUE CHANG", "明學昌", "Mr. Ming Xuechang"])
    def test_cn_analyst_finds_every_visible_record(self, world, query):
        found = person_ids(search(world["cn_analyst"], query))
        assert set(found) == {world["xuechang_cn"].pk, world["xuechang_mpf"].pk, world["xuechang_muse"].pk}

    def test_another_family_member_is_not_him(self, world):
        assert world["guoping"].pk not in person_ids(search(world["cn_analyst"], "Ming Xuechang"))

    def test_invisible_and_protected_records_of_the_same_man_never_appear(self, world):
        for user in (world["cn_analyst"], world["th_officer"], world["mm_user"]):
            found = person_ids(search(user, "Ming Xuechang"))
            assert world["xuechang_hidden"].pk not in found
            assert world["xuechang_witness"].pk not in found

    def test_protected_identity_found_once_granted(self, world):
        Share.objects.create(record=world["xuechang_witness"], agency=world["cn"], include_protected=True)
        assert world["xuechang_witness"].pk in person_ids(search(world["cn_analyst"], "Xuechang Ming"))

    def test_ranked_by_score(self, world):
        # A record carrying his Chinese name too agrees more than one only in pinyin.
        found = person_ids(search(world["cn_analyst"], "明学昌"))
        assert found[0] == world["xuechang_cn"].pk


class TestIdentityCluster:
    @pytest.fixture
    def cluster(self, world):
        ah_chang = make_person(world["mpf"], "Ah Chang", distribution="shared")
        Share.objects.create(record=ah_chang, agency=world["cn"])
        entity = Entity.objects.create()
        for p in (world["xuechang_cn"], ah_chang, world["xuechang_hidden"]):
            EntityMember.objects.create(entity=entity, person=p)
        return ah_chang

    def test_cluster_members_listed_with_the_hit(self, world, cluster):
        found = person_ids(search(world["cn_analyst"], "明学昌"))
        assert cluster.pk in found
        assert found.index(cluster.pk) == found.index(world["xuechang_cn"].pk) + 1
        assert world["xuechang_hidden"].pk not in found

    def test_cluster_shown_together_on_the_page(self, client, world, cluster):
        page = login(client, world["cn_analyst"]).get(reverse("web:search"), {"q": "Ming Xuechang"}).content.decode()
        assert "Ah Chang" in page and "same person" in page.lower()
        assert page.index("Ming Xuechang") < page.index("Ah Chang")

    def test_cluster_shown_together_through_the_api(self, world, cluster):
        api = login(APIClient(), world["cn_analyst"])
        persons = api.get("/api/search/", {"q": "明学昌"}).json()["persons"]
        lead = {p["id"]: p["same_person_as"] for p in persons}
        assert lead[cluster.pk] == world["xuechang_cn"].pk
        assert lead[world["xuechang_cn"].pk] is None
        assert world["xuechang_hidden"].pk not in lead


class TestThroughPageAndApi:
    def test_search_page(self, client, world):
        page = login(client, world["th_officer"]).get(reverse("web:search"), {"q": "明菊兰"}).content.decode()
        assert "MING JU LAN" in page and "Ming Julan" in page

    def test_api(self, world):
        api = login(APIClient(), world["cn_analyst"])
        data = api.get("/api/search/", {"q": "Ming Xuechang"}).json()
        ids = {p["id"] for p in data["persons"]}
        assert ids == {world["xuechang_cn"].pk, world["xuechang_mpf"].pk, world["xuechang_muse"].pk}

    def test_api_thai_officer(self, world):
        api = login(APIClient(), world["th_officer"])
        ids = {p["id"] for p in api.get("/api/search/", {"q": "Ming Julan"}).json()["persons"]}
        assert ids == {world["julan_cn"].pk, world["julan_th"].pk}


class TestIdentifiers:
    @pytest.fixture
    def idents(self, world):
        phone = Identifier.objects.create(owner=world["th"], kind="phone", value="+66812055960", distribution="owner")
        wallet = Identifier.objects.create(owner=world["cn"], kind="crypto_wallet", value=TRON, distribution="members")
        hidden = Identifier.objects.create(owner=world["other"], kind="crypto_wallet", value=TRON[:10] + "x" * 24,
                                           distribution="owner")
        account = Identifier.objects.create(owner=world["cn"], kind="bank_account", value="1234-5678-9012",
                                            distribution="members")
        return {"phone": phone, "wallet": wallet, "hidden": hidden, "account": account}

    def test_local_phone_form_by_the_users_country(self, world, idents):
        for query in ("081 205 5960", "0812055960", "+66 81 205 5960"):
            assert [i.pk for i in search(world["th_officer"], query).identifiers] == [idents["phone"].pk]

    def test_local_form_read_in_the_users_own_country_only(self, world, idents):
        # A Myanmar officer's "081…" is a Myanmar number, not this Thai one (which he may not see anyway).
        assert search(world["mm_user"], "081 205 5960").identifiers == []

    def test_wallet_by_a_prefix_of_eight_characters_or_more(self, world, idents):
        assert [i.pk for i in search(world["th_officer"], TRON[:10]).identifiers] == [idents["wallet"].pk]
        assert [i.pk for i in search(world["th_officer"], TRON[:8]).identifiers] == [idents["wallet"].pk]
        assert search(world["th_officer"], TRON[:7]).identifiers == []

    def test_wallet_prefix_never_finds_an_invisible_wallet(self, world, idents):
        found = [i.pk for i in search(world["cn_analyst"], TRON[:10]).identifiers]
        assert idents["hidden"].pk not in found

    def test_account_by_a_prefix_as_typed(self, world, idents):
        assert [i.pk for i in search(world["th_officer"], "1234 5678").identifiers] == [idents["account"].pk]

    def test_prefix_through_the_api(self, world, idents):
        api = login(APIClient(), world["th_officer"])
        ids = [i["id"] for i in api.get("/api/search/", {"q": TRON[:12]}).json()["identifiers"]]
        assert ids == [idents["wallet"].pk]
