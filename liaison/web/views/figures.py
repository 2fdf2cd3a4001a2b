"""Adding up the figures sources state, without losing how exact they were.

"more than 70,000" plus "31,000" is "more than 101,000"; adding an "about"
figure makes the total "about"; mixing "up to" with "more than" leaves only
"about".
"""
from dataclasses import dataclass

from liaison.operations.models import Figure

Q = Figure.Qualifier
_LOWER = {Q.EXACT, Q.MORE_THAN, Q.AT_LEAST}  # the true number is at least the stated one


@dataclass
class Total:
    category: str
    label: str
    value: int
    qualifier: str


def combine_qualifiers(qualifiers):
    qualifiers = set(qualifiers)
    if qualifiers <= {Q.EXACT}:
        return Q.EXACT
    if len(qualifiers) == 1:
        return qualifiers.pop()
    if qualifiers <= _LOWER:
        return Q.MORE_THAN if Q.MORE_THAN in qualifiers else Q.AT_LEAST
    if qualifiers <= {Q.EXACT, Q.UP_TO}:
        return Q.UP_TO
    return Q.ABOUT


def combine(figures):
    """Per-category totals of ``figures`` (Figure rows)."""
    by_category = {}
    for figure in figures:
        by_category.setdefault(figure.category, []).append(figure)
    labels = dict(Figure.Category.choices)
    totals = []
    for category in Figure.Category.values:
        rows = by_category.get(category)
        if not rows:
            continue
        totals.append(Total(category, labels[category], sum(f.value for f in rows), combine_qualifiers(f.qualifier for f in rows)))
    return totals
