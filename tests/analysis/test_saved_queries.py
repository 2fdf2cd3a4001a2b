"""The plain part of saved searches (no database): kinds, query strings, and the
quick test that decides which saved searches a new record costs a query for."""
from liaison.analysis import saved_queries as sq


def test_kinds_and_models():
    assert sq.models_of("search") == sq.SEARCH_MODELS
    assert sq.models_of("cases") == ("operations.case",)
    assert sq.models_of("nothing") == ()
    assert sq.kinds_of("registry.person") == ("search", "persons")
    assert sq.kinds_of("operations.case") == ("cases",)
    assert sq.kinds_of("registry.relationship") == ()


def test_querystring_normalised():
    allowed = ["name", "nationality", "status"]
    assert sq.normalise_querystring("status=wanted&page=3&name=+Ming+&x=1&nationality=", allowed) == "name=Ming&status=wanted"
    assert sq.normalise_querystring("name=Ming&status=wanted", allowed) == sq.normalise_querystring(
        "status=wanted&name=Ming", allowed)
    assert sq.normalise_querystring("name=%E6%98%8E", allowed) == "name=%E6%98%8E"
    assert sq.normalise_querystring("", allowed) == ""


def test_search_query_cleaned():
    assert sq.clean_search_query("  Ming ") == "Ming"
    assert sq.clean_search_query("e\u0301") == "\u00e9"  # NFC, as the search reads it


def person(*names):
    from liaison import names as n

    return {"names": list(names), "keys": [n.search_key(x) for x in names]}


def test_could_match_persons():
    assert sq.could_match_search("Ming", "registry.person", person("Ming Xuechang"))
    assert sq.could_match_search("ming", "registry.person", person("MING Xuechang"))
    assert not sq.could_match_search("Ming", "registry.person", person("Chen Wei"))
    # Word order free and across scripts, through the matcher's name keys.
    assert sq.could_match_search("Xuechang Ming", "registry.person", person("Ming Xuechang"))
    # Digits are no name: a phone number never looks at persons.
    assert not sq.could_match_search("13800138000", "registry.person", person("13800138000"))
    # Short queries match names that start with them.
    assert sq.could_match_search("Mi", "registry.person", person("Ming"))
    assert not sq.could_match_search("in", "registry.person", person("Ming"))


def test_could_match_other_types():
    assert sq.could_match_search("Ming", "registry.organisation", {"search_key": "ming family\nming clan"})
    assert not sq.could_match_search("Zhao", "registry.site", {"search_key": "kokang compound"})
    assert sq.could_match_search("SWEEP", "operations.operation", {"name": "Operation sweep", "native_name": ""})
    assert sq.could_match_search("muse", "operations.event", {"title": "Handover", "place": "Muse"})
    assert not sq.could_match_search("muse", "registry.source", {"title": "Report", "publisher": ""})
    assert sq.could_match_search("+86 138 0013 8000", "registry.identifier",
                                 {"kind": "phone", "normalized": "+8613800138000"})
    assert not sq.could_match_search("+86 138 0013 8001", "registry.identifier",
                                     {"kind": "phone", "normalized": "+8613800138000"})
    assert not sq.could_match_search("", "registry.organisation", {"search_key": "ming"})
