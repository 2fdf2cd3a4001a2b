"""The queue of candidate matches, merges, rejections and splits, through the pages."""
import pytest

from liaison.audit.models import AuditEntry
from liaison.matching import services
from liaison.matching.models import CandidatePair, EntityMember
from liaison.registry.models import Person
from tests.factories import login, make_person

from .conftest import Score, make_pair

pytestmark = pytest.mark.django_db


def test_queue_shows_pair_with_both_records_side_by_side_and_field_weights(as_cn, world):
    make_pair(world.cn_ming, world.mm_ming, probability=0.97)
    html = as_cn.get("/matching/").content.decode()
    assert "明学昌" in html and "Xuechang Ming" in html and "明學昌" in html
    assert "0.97" in html
    assert "<meter" in html and "name" in html and "against" in html  # country weighs against (-0.4)
    assert 'dir="auto"' in html
    assert "MD123456" in html  # MM's document, shared with CN


def test_queue_never_shows_a_pair_with_a_person_the_analyst_cannot_see(client, world):
    make_pair(world.cn_ming, world.mm_hidden, probability=0.99)
    make_pair(world.cn_ming, world.mm_victim, probability=0.98)  # visible, but identity withheld from CN
    visible = make_pair(world.cn_ming, world.mm_ming, probability=0.90)
    login(client, world.cn_analyst)
    html = client.get("/matching/").content.decode()
    assert "MING XUE CHANG" not in html and "Ming Xue Chang" not in html
    assert "1 pair to decide" in html
    assert list(services.visible_pairs(world.cn_analyst)) == [visible]
    hidden = CandidatePair.objects.get(person_b=world.mm_hidden) if world.mm_hidden.pk > world.cn_ming.pk else \
        CandidatePair.objects.get(person_a=world.mm_hidden)
    assert client.get(f"/matching/pairs/{hidden.pk}/").status_code == 404
    assert client.post(f"/matching/pairs/{hidden.pk}/merge/").status_code == 404
    # MM's own analyst sees its hidden record's pair with CN's members-wide record.
    login(client, world.mm_analyst)
    assert "MING XUE CHANG" in client.get("/matching/").content.decode()


def test_merge_keeps_every_agencys_record_and_is_audited(as_cn, world):
    pair = make_pair(world.cn_ming, world.mm_ming)
    names_before = {p.pk: sorted(p.names.values_list("full_name", flat=True)) for p in (world.cn_ming, world.mm_ming)}
    response = as_cn.post(f"/matching/pairs/{pair.pk}/merge/", {"note": "Same DOB and family"})
    assert response.status_code == 302 and "/matching/clusters/" in response["Location"]
    pair.refresh_from_db()
    assert pair.status == "merged" and pair.decided_by == world.cn_analyst and pair.note == "Same DOB and family"
    for p in (world.cn_ming, world.mm_ming):
        p.refresh_from_db()
        assert sorted(p.names.values_list("full_name", flat=True)) == names_before[p.pk]
    assert Person.objects.get(pk=world.mm_ming.pk).owner == world.mm  # nothing moved between agencies
    assert world.mm_ming.documents.get().number == "MD123456"
    members = EntityMember.objects.filter(removed_at__isnull=True)
    assert {m.person_id for m in members} == {world.cn_ming.pk, world.mm_ming.pk}
    entries = AuditEntry.objects.filter(action="merge")
    assert {(e.record_id, e.owner_agency_id) for e in entries} == {(world.cn_ming.pk, world.cn.pk), (world.mm_ming.pk, world.mm.pk)}
    assert all(e.actor == world.cn_analyst and e.detail["pair"] == pair.pk for e in entries)

    # The cluster page shows all names, documents and sources of both records.
    html = as_cn.get(response["Location"]).content.decode()
    for text in ("明学昌", "明學昌", "Ming Xuechang", "Xuechang Ming", "MD123456"):
        assert text in html
    # The person page of each says "same person as" the other.
    page = as_cn.get(f"/persons/{world.cn_ming.pk}/").content.decode()
    assert "Same person as" in page and "Xuechang Ming" in page


def test_same_person_box_shows_only_members_the_viewer_may_see(client, world):
    pair = make_pair(world.mm_ming, world.mm_hidden)
    services.merge(world.mm_analyst, pair)
    pair2 = make_pair(world.cn_ming, world.mm_ming)
    services.merge(world.cn_analyst, pair2)
    login(client, world.cn_analyst)
    page = client.get(f"/persons/{world.cn_ming.pk}/").content.decode()
    assert "Xuechang Ming" in page
    assert "MING XUE CHANG" not in page  # MM's own record, in the same cluster
    entity = EntityMember.objects.get(person=world.cn_ming, removed_at__isnull=True).entity
    assert "MING XUE CHANG" not in client.get(f"/matching/clusters/{entity.pk}/").content.decode()
    login(client, world.mm_analyst)
    assert "MING XUE CHANG" in client.get(f"/persons/{world.mm_ming.pk}/").content.decode()
    # KH sees only CN's record of the cluster: for KH the cluster does not exist, and
    # CN's person page does not hint that other records describe the same person.
    login(client, world.kh_analyst)
    assert client.get(f"/matching/clusters/{entity.pk}/").status_code == 404
    page = client.get(f"/persons/{world.cn_ming.pk}/").content.decode()
    assert "Same person as" not in page and "Xuechang Ming" not in page


def test_split_undoes_the_merge_and_puts_the_pair_back_in_the_queue(as_cn, world):
    pair = make_pair(world.cn_ming, world.mm_ming)
    entity = services.merge(world.cn_analyst, pair)
    member = EntityMember.objects.get(entity=entity, person=world.mm_ming, removed_at__isnull=True)
    response = as_cn.post(f"/matching/members/{member.pk}/split/", {"note": "Different fathers' names"})
    assert response.status_code == 302
    assert not EntityMember.objects.filter(removed_at__isnull=True).exists()  # a cluster of one is closed too
    assert EntityMember.objects.filter(entity=entity).count() == 2  # history kept
    member.refresh_from_db()
    assert member.removed_by == world.cn_analyst and member.removal_reason == "Different fathers' names"
    pair.refresh_from_db()
    assert pair.status == "open"
    assert "Same person as" not in as_cn.get(f"/persons/{world.cn_ming.pk}/").content.decode()
    split = AuditEntry.objects.get(action="split")
    # In MM-MPF's trail: its record and the cluster, not the pair with CN-MPS's record (test_decision_followups).
    assert split.record_id == world.mm_ming.pk and split.detail == {"entity": entity.pk}
    assert "Xuechang Ming" in as_cn.get("/matching/").content.decode()


def test_split_keeps_the_rest_of_a_larger_cluster(world):
    third = make_person(world.cn, "Ming Xue-chang", distribution="members")
    services.merge(world.cn_analyst, make_pair(world.cn_ming, world.mm_ming))
    entity = services.merge(world.cn_analyst, make_pair(world.cn_ming, third))
    assert EntityMember.objects.filter(entity=entity, removed_at__isnull=True).count() == 3
    services.split(world.cn_analyst, EntityMember.objects.get(person=third, removed_at__isnull=True))
    assert {m.person_id for m in EntityMember.objects.filter(removed_at__isnull=True)} == {world.cn_ming.pk, world.mm_ming.pk}


def test_merging_two_clusters_joins_them(world):
    a = make_person(world.cn, "Ming Guoping", distribution="members")
    b = make_person(world.mm, "Guoping Ming", distribution="members")
    first = services.merge(world.cn_analyst, make_pair(world.cn_ming, world.mm_ming))
    second = services.merge(world.cn_analyst, make_pair(a, b))
    # Both records are MM-MPF's: MM-MPF decides (CN-MPS may not, see test_agency_rule).
    joined = services.merge(world.mm_analyst, make_pair(world.mm_ming, b))
    assert joined == first and first != second
    assert set(EntityMember.objects.filter(removed_at__isnull=True).values_list("entity_id", flat=True)) == {first.pk}
    assert EntityMember.objects.filter(entity=second, removed_at__isnull=False).count() == 2


def test_reject_removes_the_pair_and_it_is_never_proposed_again(as_cn, world):
    pair = make_pair(world.cn_ming, world.mm_ming)
    assert as_cn.post(f"/matching/pairs/{pair.pk}/reject/").status_code == 302
    pair.refresh_from_db()
    assert pair.status == "rejected"
    assert AuditEntry.objects.filter(action="match_reject", record_id__in=[world.cn_ming.pk, world.mm_ming.pk]).count() == 2
    # The matcher finds the pair again, with a higher score: it stays rejected, no new pair.
    services.record_pairs([(world.mm_ming.pk, world.cn_ming.pk, Score(0.995))], found_by="batch")
    assert CandidatePair.objects.count() == 1
    pair.refresh_from_db()
    assert pair.status == "rejected" and pair.probability == 0.93
    assert "Xuechang Ming" not in as_cn.get("/matching/").content.decode()


def test_open_pair_is_rescored_not_duplicated(world):
    pair = make_pair(world.cn_ming, world.mm_ming, probability=0.7)
    services.record_pairs([(world.cn_ming.pk, world.mm_ming.pk, Score(0.8)), (world.mm_ming.pk, world.cn_ming.pk, Score(0.85))],
                          found_by="batch")
    assert CandidatePair.objects.count() == 1
    pair.refresh_from_db()
    assert pair.probability == 0.85 and pair.fields["name"] == 7.5


def test_viewers_cannot_decide(client, world):
    pair = make_pair(world.cn_ming, world.mm_ming)
    login(client, world.cn_viewer)
    html = client.get("/matching/").content.decode()
    assert "Xuechang Ming" in html and "Same person: merge" not in html
    client.post(f"/matching/pairs/{pair.pk}/merge/")
    pair.refresh_from_db()
    assert pair.status == "open"
    with pytest.raises(services.MatchingError):
        services.merge(world.cn_viewer, pair)


def test_deciding_twice_says_it_was_decided(as_cn, world):
    pair = make_pair(world.cn_ming, world.mm_ming)
    services.reject(world.cn_analyst, pair)
    with pytest.raises(services.MatchingError, match="already decided"):
        services.merge(world.cn_analyst, pair)


def test_queue_and_cluster_pages_have_a_fixed_number_of_queries(as_cn, world, django_assert_max_num_queries):
    for i in range(12):
        a = make_person(world.cn, f"Ming Guoping {i}", "明国平", distribution="members", birth_date="1970")
        b = make_person(world.mm, f"Guoping Ming {i}", distribution="members")
        make_pair(a, b, probability=0.6 + i / 100)
    with django_assert_max_num_queries(12):  # 10 with one pair or twelve: no query per pair
        assert as_cn.get("/matching/").status_code == 200
    entity = services.merge(world.cn_analyst, make_pair(world.cn_ming, world.mm_ming))
    for i in range(4):
        extra = make_person(world.cn, f"Ming X {i}", distribution="members")
        services.merge(world.cn_analyst, make_pair(world.cn_ming, extra))
    with django_assert_max_num_queries(17):
        assert as_cn.get(f"/matching/clusters/{entity.pk}/").status_code == 200
    with django_assert_max_num_queries(30):
        assert as_cn.get(f"/persons/{world.cn_ming.pk}/").status_code == 200
