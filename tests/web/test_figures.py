"""Totals keep the source's precision: "more than" stays "more than", mixing
lower bounds with estimates becomes "about"."""
from types import SimpleNamespace as F

from liaison.web.views.figures import combine, combine_qualifiers


def test_qualifiers():
    assert combine_qualifiers(["", ""]) == ""
    assert combine_qualifiers(["more_than", ""]) == "more_than"
    assert combine_qualifiers(["at_least", ""]) == "at_least"
    assert combine_qualifiers(["about", "about"]) == "about"
    assert combine_qualifiers(["up_to", ""]) == "up_to"
    assert combine_qualifiers(["up_to", "more_than"]) == "about"


def test_combine_sums_per_category_in_a_fixed_order():
    totals = combine([F(category="victims", value=160, qualifier=""), F(category="suspects", value=70000, qualifier="more_than"),
                      F(category="suspects", value=571, qualifier="")])
    assert [(t.category, t.value, t.qualifier) for t in totals] == [("suspects", 70571, "more_than"), ("victims", 160, "")]
