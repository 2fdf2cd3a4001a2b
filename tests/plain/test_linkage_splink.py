"""Splink (DuckDB) and the Python scorer apply the same levels and weights."""
from liaison.linkage import Matcher, dedupe
from liaison.linkage.generate import population
from liaison.linkage.records import features


def test_splink_dedupe_gives_the_same_field_weights_as_the_python_scorer():
    records, truth, _ = population(150, seed=11)
    by_id = {r.id: features(r) for r in records}
    matcher = Matcher.default()
    result = dedupe(records, backend="duckdb", threshold=0.01, matcher=matcher)
    assert len(result.pairs) > 50
    for a, b, score in result.pairs:
        python = matcher.score_features(by_id[a], by_id[b], prior=matcher.prior_for(len(records)))
        expected = {k: v for k, v in python.fields.items() if abs(v) > 1e-9}
        assert score.fields.keys() == expected.keys(), (a, b)
        for name in expected:
            assert abs(score.fields[name] - expected[name]) < 1e-3, (a, b, name)


def test_splink_clusters_are_mostly_true_entities():
    records, truth, _ = population(200, seed=12)
    result = dedupe(records, backend="duckdb", threshold=0.9)
    pure = sum(1 for cluster in result.clusters if len({truth[r] for r in cluster}) == 1)
    assert result.clusters and pure / len(result.clusters) > 0.9


def test_training_by_em_learns_that_agreeing_names_are_evidence():
    records, _, _ = population(600, seed=13)
    matcher = Matcher.train(records)
    weights = dict(zip([lv["level"] for lv in matcher.params["name"]], matcher.weights("name")))
    assert weights["exact"] > 3 > weights["else"]
    assert 0 < matcher.prior < 0.1
    assert Matcher.from_json(matcher.to_json()).weights("dob") == matcher.weights("dob")


def _scored(records, **options):
    from liaison.linkage.splink_backend import arrow_table, score_all

    scored = score_all(arrow_table([features(r) for r in records]), Matcher.default(), floor=None, **options)
    rows = scored.sql("SELECT unique_id_l, unique_id_r, weight FROM scored").fetchall()
    return scored, {frozenset((a, b)): weight for a, b, weight in rows}


def test_a_name_many_records_bear_weighs_less_than_a_rare_one_in_a_deduplication():
    from liaison.linkage import PersonRecord

    common = [PersonRecord(f"c{i}", ["Sok Chea"], dob=f"{1950 + i}-03-04", countries=["kh"]) for i in range(40)]
    records = common + [
        PersonRecord("c-year", ["Chea Sok"], dob="1950", countries=["kh"]),  # pairs with c0 on the name and year
        PersonRecord("r1", ["Chhim Vichet"], dob="1980-05-06", countries=["kh"]),
        PersonRecord("r2", ["Vichet Chhim"], dob="1980", countries=["kh"]),
    ]
    _, weights = _scored(records, prior=1e-3)
    assert weights[frozenset(("r1", "r2"))] > weights[frozenset(("c0", "c-year"))] + 2


def test_a_name_in_its_script_and_romanised_with_only_a_year_is_compared():
    """The phonetic key is blocked on the year of birth, not the full date."""
    from liaison.linkage import PersonRecord

    records, _, _ = population(20, seed=14)
    records += [PersonRecord("km", ["ចាន់ មករា"], dob="1974-12-18"), PersonRecord("lat", ["Makara Chan"], dob="1974")]
    _, weights = _scored(records, prior=1e-3)
    assert frozenset(("km", "lat")) in weights


def test_the_prior_is_estimated_on_the_data_being_deduplicated():
    records, truth, _ = population(3000, seed=15)
    sizes = {}
    for entity in truth.values():
        sizes[entity] = sizes.get(entity, 0) + 1
    true_share = sum(n * (n - 1) / 2 for n in sizes.values()) / (len(records) * (len(records) - 1) / 2)
    scored, _ = _scored(records)
    assert true_share / 2 < scored.prior < true_share * 2
