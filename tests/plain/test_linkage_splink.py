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
