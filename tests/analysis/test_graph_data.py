"""Link analysis from the database (liaison/analysis/graph_data.py): what it
draws, and the attacks of an officer who may not see everything.

The world (tests/analysis/graph_world.py): Myanmar's owner-only AMBER boss uses
the phone Ming Guoping (China) and Aung Ko Ko (Myanmar, shared with members)
use, belongs to the Ming family through Myanmar's owner-only link, and is the
hidden end of two links Myanmar shares with every member. Thailand (th_user)
and China see the links, never the boss.
"""
import json

import pytest
from django.contrib.contenttypes.models import ContentType

from liaison.analysis import graph_data as gd
from liaison.audit.models import AuditEntry
from liaison.registry.models import Organisation, Person, Relationship
from tests.analysis import graph_world
from tests.analysis.graph_world import BOSS, VICTIM
from tests.factories import make_person
from tests.web.world import link

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return graph_world.build()


def key(record):
    return gd.key_of(gd.KIND_OF[type(record)], record.pk)


def text_of(answer):
    return json.dumps(answer.as_json() if hasattr(answer, "as_json") else answer, ensure_ascii=False)


def assert_boss_absent(w, answer):
    """Neither the boss's name, nor his record, nor his phone's record appears; at most "a record you cannot see"."""
    text = text_of(answer)
    assert BOSS not in text
    assert key(w.boss) not in text and key(w.phone_boss) not in text
    assert f"/persons/{w.boss.pk}/" not in text and f"/identifiers/{w.phone_boss.pk}/" not in text


# --- What it draws ---------------------------------------------------------------------------------------------------

def test_neighbourhood_of_the_family_reaches_members_and_their_links(w):
    picture = gd.neighbourhood(w.th_user, key(w.family), hops=2)
    nodes = picture.nodes
    assert nodes[key(w.family)]["centre"] is True
    assert {key(w.guoping), key(w.xuechang), key(w.phone_cn), key(w.raid)} <= set(nodes)
    edge = picture.edges[f"r{Relationship.objects.get(subject_id=w.guoping.pk, kind='member_of').pk}"]
    assert (edge["source"], edge["target"], edge["label"], edge["dates"]) == (key(w.guoping), key(w.family),
                                                                              "member of", "2019 – …")
    assert nodes[key(w.raid)]["detail"] == "Raid · 18 Nov 2023"
    assert_boss_absent(w, picture)
    # From Guoping, two hops reach Myanmar's record of his number through the "same value" link.
    picture = gd.neighbourhood(w.th_user, key(w.guoping), hops=2)
    same = [e for e in picture.edges.values() if e["family"] == "same_value"]
    assert [(e["source"], e["target"]) for e in same] == [(key(w.phone_cn), key(w.phone_mm))]
    assert picture.nodes[key(w.phone_mm)]["owner"] == "MM-T"


def test_a_visible_link_to_an_invisible_record_is_a_record_you_cannot_see_each_time(w):
    picture = gd.neighbourhood(w.th_user, key(w.guoping), hops=1)
    placeholder = picture.nodes[f"hidden:r{w.to_boss.pk}"]
    assert placeholder == {"id": f"hidden:r{w.to_boss.pk}", "kind": "hidden", "label": "a record you cannot see"}
    assert picture.edges[f"r{w.to_boss.pk}"]["target"] == f"hidden:r{w.to_boss.pk}"
    assert_boss_absent(w, picture)
    # The company the boss owns: its own placeholder, not the same node (that would say the two links meet).
    company = gd.neighbourhood(w.th_user, key(w.boss_company), hops=1)
    assert f"hidden:r{w.from_boss.pk}" in company.nodes and f"hidden:r{w.to_boss.pk}" not in company.nodes
    # Myanmar, the owner, sees him by name.
    own = gd.neighbourhood(w.mm_user, key(w.guoping), hops=1)
    assert own.nodes[key(w.boss)]["label"] == BOSS


def test_a_hidden_end_is_never_expanded(w):
    picture = gd.neighbourhood(w.th_user, key(w.guoping), hops=2)
    # The boss's company is two links away only through the boss.
    assert key(w.boss_company) not in picture.nodes


def test_invisible_start_is_the_same_as_no_record(w):
    for node in (key(w.boss), "person:987654", key(w.retracted)):
        with pytest.raises(gd.NotVisible):
            gd.neighbourhood(w.th_user, node)
    with pytest.raises(gd.InvalidNode):
        gd.parse_node("source:1")
    assert gd.parse_node(f"{ContentType.objects.get_for_model(Person).pk}:{w.guoping.pk}") == ("person", w.guoping.pk)
    assert gd.parse_node(f"persons:{w.guoping.pk}") == ("person", w.guoping.pk)


# --- Limits: a hub stays usable, and "+N more" counts only what the reader may see -----------------------------------

@pytest.fixture
def hub(w):
    """An organisation with 12 members Thailand sees, 7 it may not see through links it may
    not see either, and 3 links it sees to persons it may not see."""
    org = Organisation.objects.create(owner=w.cn, name="Hub company", distribution="members")
    for i in range(12):
        link(w.cn, make_person(w.cn, f"Member {i:02d}", distribution="members"), "member_of", org, start=f"20{10 + i}")
    for i in range(7):
        link(w.mm, make_person(w.mm, f"Secret Member {i}"), "member_of", org, distribution="owner")
    for i in range(3):
        link(w.mm, make_person(w.mm, f"Unseen Member {i}"), "member_of", org)
    return org


def test_more_handle_counts_only_visible_links(w, hub):
    picture = gd.neighbourhood(w.th_user, key(hub), hops=1, limit=5)
    more = picture.more[key(hub)]
    assert (more["total"], more["shown"], more["remaining"], more["next_offset"]) == (15, 5, 10, 5)
    assert more["label"] == "+10 more links"
    # Best first: visible ends before hidden ones, the latest first.
    assert [picture.nodes[e["source"]]["label"] for e in picture.edges.values()] == [
        "Member 11", "Member 10", "Member 09", "Member 08", "Member 07"]
    text = text_of(picture)
    assert "Secret Member" not in text and "Unseen Member" not in text
    # Paging through the handle reaches every visible link once, the hidden ends last.
    seen = set(picture.edges)
    for offset in (5, 10):
        page = gd.expand(w.th_user, key(hub), limit=5, offset=offset)
        assert not seen & set(page.edges)
        seen |= set(page.edges)
    assert len(seen) == 15 and "Secret Member" not in text_of(page)
    assert sum(1 for n in page.nodes.values() if n["kind"] == "hidden") == 3
    assert page.more[key(hub)]["remaining"] == 0


def test_type_and_period_filters_count_what_they_keep(w, hub):
    people = gd.neighbourhood(w.th_user, key(hub), hops=1, limit=5, filters=gd.Filters(types=frozenset({"person"})))
    # Hidden ends are left out under a type filter: keeping them would tell their type.
    assert people.more[key(hub)]["total"] == 12
    assert all(n["kind"] != "hidden" for n in people.nodes.values())
    # Memberships that had begun by 2012 (a start without an end is still going on).
    early = gd.neighbourhood(w.th_user, key(hub), hops=1, limit=50, filters=gd.Filters(date_to="2012"))
    labels = sorted(n["label"] for n in early.nodes.values() if n["kind"] == "person")
    assert labels == ["Member 00", "Member 01", "Member 02"]
    assert sum(1 for n in early.nodes.values() if n["kind"] == "hidden") == 3  # undated links stay
    assert len(gd.neighbourhood(w.th_user, key(hub), hops=1, limit=50,
                                filters=gd.Filters(date_from="2030")).nodes) == 1 + 12 + 3


def test_max_nodes_cuts_the_picture_and_says_so(w, hub):
    picture = gd.neighbourhood(w.th_user, key(hub), hops=1, limit=50, max_nodes=6)
    assert len(picture.nodes) == 6 and picture.truncated
    assert picture.more[key(hub)]["remaining"] == 15 - 5


# --- Paths -----------------------------------------------------------------------------------------------------------

def test_path_to_a_phone_number_goes_through_the_same_value(w):
    result = gd.shortest_path(w.th_user, key(w.xuechang), key(w.phone_mm))
    assert result["hops"] == 4
    assert result["paths"] == [[key(w.xuechang), key(w.family), key(w.guoping), key(w.phone_cn), key(w.phone_mm)]]
    assert {e["family"] for e in result["edges"]} == {"relationship", "same_value"}


def test_path_never_steps_through_an_invisible_record(w):
    # Guoping —(visible link)— [boss] —(visible link)— company: no path for Thailand.
    result = gd.shortest_path(w.th_user, key(w.guoping), key(w.boss_company))
    assert result["hops"] is None and result["paths"] == [] and result["nodes"] == []
    assert_boss_absent(w, result)
    # Myanmar sees the boss: two links.
    own = gd.shortest_path(w.mm_user, key(w.guoping), key(w.boss_company))
    assert own["hops"] == 2 and own["paths"][0][1] == key(w.boss)
    with pytest.raises(gd.NotVisible):
        gd.shortest_path(w.th_user, key(w.guoping), key(w.boss))


def test_path_ignores_retracted_records_and_links(w):
    # Xuechang's retracted "uses phone" would make the phone one link away; the record
    # retracted from the family is gone for every recipient.
    result = gd.shortest_path(w.th_user, key(w.xuechang), key(w.phone_cn))
    assert result["hops"] == 3
    assert f"r{w.retracted_link.pk}" not in text_of(result)


# --- Shared identifiers ----------------------------------------------------------------------------------------------

def test_two_persons_of_different_agencies_share_a_phone(w):
    answer = gd.shared_identifiers(w.th_user, [key(w.guoping)])
    [group] = [g for g in answer["groups"] if g["kind"] == "identifier"]
    assert group["value"] == "+95973123456" and group["records"] == sorted([key(w.phone_cn), key(w.phone_mm)])
    assert [(h["label"], h["owner"]) for h in group["holders"]] == [("Ming Guoping", "CN-T"), ("Aung Ko Ko", "MM-T")]
    assert group["holders_total"] == 2 and group["across_agencies"] is True
    assert group["summary"] == "2 records hold this phone number · 2 agencies: CN-T, MM-T"
    # The boss holds the number too (as a WhatsApp number), in Myanmar's owner-only records: not listed, not counted.
    assert_boss_absent(w, answer)
    own = gd.shared_identifiers(w.mm_user, [key(w.phone_mm)])
    [mine] = [g for g in own["groups"] if g["kind"] == "identifier"]
    assert mine["holders_total"] == 3 and BOSS in text_of(own)


def test_persons_linked_to_the_same_site_but_not_the_protected_victim(w):
    guard = make_person(w.cn, "Compound Guard", distribution="members")
    link(w.cn, guard, "works_at", w.site)
    answer = gd.shared_identifiers(w.th_user, [key(w.aung)])
    [site] = [g for g in answer["groups"] if g["kind"] == "site"]
    assert site["title"] == "KK Park block C" and site["holders_total"] == 2
    assert [h["label"] for h in site["holders"]] == ["Aung Ko Ko", "Compound Guard"]
    # Her link to the site would tell who she is with: withheld, and not counted.
    assert VICTIM not in text_of(answer) and key(w.victim) not in text_of(answer)
    own = gd.shared_identifiers(w.mm_user, [key(w.aung)])
    assert [g for g in own["groups"] if g["kind"] == "site"][0]["holders_total"] == 3


# --- Protected identities and retraction -----------------------------------------------------------------------------

def test_protected_identity_withheld_as_on_the_person_page(w):
    for centre in (key(w.site), key(w.raid), key(w.victim)):
        picture = gd.neighbourhood(w.th_user, centre, hops=2)
        assert VICTIM not in text_of(picture)
        victim = picture.nodes[key(w.victim)]
        assert victim["label"] == "Protected identity" and victim["protected"] is True
        # Her phone is withheld with her identity (visibility.withheld_persons).
        assert key(w.victim_phone) not in picture.nodes
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.READ_PROTECTED).exists()
    # Myanmar, the owner, reads her name; starting from her writes the access log, as her page does.
    own = gd.neighbourhood(w.mm_user, key(w.victim), hops=1)
    assert own.nodes[key(w.victim)]["label"] == VICTIM and key(w.victim_phone) in own.nodes
    assert AuditEntry.objects.filter(action=AuditEntry.Action.READ_PROTECTED, record_id=w.victim.pk).count() == 1


def test_retracted_records_are_absent_for_recipients(w):
    picture = gd.neighbourhood(w.th_user, key(w.family), hops=2)
    text = text_of(picture)
    assert "Retracted Suspect" not in text and key(w.retracted) not in picture.nodes
    assert f"r{w.retracted_link.pk}" not in picture.edges


# --- Key members, communities, export --------------------------------------------------------------------------------

def test_key_members_and_communities_ignore_what_the_reader_may_not_see(w):
    shown = list(gd.neighbourhood(w.th_user, key(w.family), hops=2).nodes)
    forged = shown + [key(w.boss), key(w.phone_boss), "person:999999", "nonsense", f"hidden:r{w.to_boss.pk}"]
    honest, attacked = gd.analyse(w.th_user, shown), gd.analyse(w.th_user, forged)
    assert honest == attacked
    assert_boss_absent(w, attacked)
    ranked = [m["node"] for m in honest["key_members"]]
    assert ranked[0] in (key(w.guoping), key(w.family))
    assert set(honest["communities"]) <= set(shown) and honest["count"] >= 1
    # Myanmar's own view ranks the boss among the family's links.
    own = gd.analyse(w.mm_user, shown + [key(w.boss)])
    assert key(w.boss) in own["communities"]


def test_export_reads_again_marks_and_audits(w):
    nodes = [key(w.guoping), key(w.phone_cn), key(w.boss), f"hidden:r{w.to_boss.pk}", "person:424242"]
    marking, text = gd.export(w.th_user, nodes, "graphml")
    assert marking == "AMBER"  # the relationships' own marking (tests.web.world.link: TLP:AMBER)
    assert BOSS not in text and f"person:{w.boss.pk}" not in text and "424242" not in text
    assert "TLP:AMBER — exported from Liaison by th_graph (TH-T)" in text
    assert f"hidden:r{w.to_boss.pk}" in text and "a record you cannot see" in text
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, actor=w.th_user)
    assert sorted((e.owner_agency_id, e.detail["rows"]) for e in entries) == [(w.cn.pk, 2)]
    marking, text = gd.export(w.th_user, [key(w.guoping)], "json")
    assert json.loads(text)["marking"] == "TLP:GREEN"
