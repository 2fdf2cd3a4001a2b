"""Blocking keys (plain Python, no database)."""
from liaison.matching.keys import blocking_keys, document_key, rank_candidates


def test_the_four_spellings_of_ming_xuechang_share_a_key():
    spellings = ["明学昌", "Ming Xuechang", "Xuechang Ming", "MING XUE CHANG"]
    keys = [blocking_keys([name]) for name in spellings]
    assert set.intersection(*keys)
    assert not blocking_keys(["Ming Guoping"]) & keys[0]


def test_document_numbers_compare_without_spaces_dashes_or_case():
    assert document_key(" md 123-456 ") == "MD123456"
    assert "d:MD123456" in blocking_keys([], documents=["md 123-456"])
    assert blocking_keys([], documents=["A1"]) == set()  # too short to narrow anything


def test_identifier_and_name_keys_cannot_collide():
    keys = blocking_keys(["Ming"], identifiers=["ming"])
    assert "i:ming" in keys and all(k[:2] in ("n:", "i:") for k in keys)


def test_candidates_sharing_a_document_come_before_namesakes():
    shared = [(1, "n:mingxuechang"), (2, "n:mingxuechang"), (2, "n:chang ming xue"), (3, "d:MD123456"), (4, "n:x")]
    assert rank_candidates(shared, 3) == [3, 2, 1]


def test_an_identifier_counts_only_when_whoever_sees_the_person_sees_it_too():
    from liaison.matching.records import _evidence_visible

    assert _evidence_visible((1, "owner"), (1, "owner"), (1, "owner"))
    assert _evidence_visible((1, "members"), (1, "members"), (1, "public"))
    assert not _evidence_visible((1, "members"), (1, "owner"), (1, "members"))  # a hidden link
    assert not _evidence_visible((1, "members"), (1, "members"), (1, "shared"))  # recipients may differ
    assert not _evidence_visible((1, "public"), (1, "members"), (1, "members"))  # observers and the public
    assert not _evidence_visible((1, "owner"), (2, "public"), (1, "owner"))  # another agency's link
