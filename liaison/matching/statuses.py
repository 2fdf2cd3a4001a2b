"""Whether two records agree on what became of a person (plain Python).

A merge says two agencies' records describe one person. If one says the
person is dead and the other that he was handed over alive, one of them is
wrong (or the records are of two people): the analyst must look before
merging. Statuses that can both be true of one person at one time, or follow
each other in an ordinary way within one group ("arrested", then "in
custody"), do not conflict; statuses of different groups do.
"""

GROUPS = {
    # at large
    "wanted": "at_large",
    "fugitive": "at_large",
    # held by the authorities
    "arrested": "held",
    "detained": "held",
    "in_custody": "held",
    "convicted": "held",
    # free, out of the compound
    "released": "free",
    "rescued": "free",
    "repatriated": "free",
    # whereabouts unknown, or held by the criminals
    "missing": "missing",
    "captive": "missing",
    "deceased": "dead",
}


def current(statuses):
    """The latest of ``statuses`` (objects with ``date`` as partial-date text and ``id``); None if none.

    The same order as the person page: by date (ISO text sorts in time order,
    an undated status first), then by entry."""
    rows = list(statuses)
    if not rows:
        return None
    return max(rows, key=lambda s: (s.date or "", s.id or 0))


def conflict(a, b):
    """Whether status codes ``a`` and ``b`` cannot both describe one person now."""
    if not a or not b or a == b:
        return False
    return GROUPS.get(a, a) != GROUPS.get(b, b)
