"""Figures of the request desk (plain Python): how long fulfilment takes, and
who still waits to be brought home."""

import statistics
from collections import defaultdict


def median_days(rows):
    """``rows``: (kind, from_country, to_country, sent_at, closed_at).

    Returns two sorted lists: (kind, (median days, n)) and
    ((from_country, to_country), (median days, n)). Days are fractional so a
    request fulfilled within hours does not read as zero.
    """
    by_kind, by_pair = defaultdict(list), defaultdict(list)
    for kind, from_country, to_country, sent_at, closed_at in rows:
        days = (closed_at - sent_at).total_seconds() / 86400
        by_kind[kind].append(days)
        by_pair[(from_country, to_country)].append(days)

    def summarise(groups):
        return sorted(
            ((key, (round(statistics.median(v), 1), len(v))) for key, v in groups.items()),
            key=lambda item: tuple(str(k) for k in (item[0] if isinstance(item[0], tuple) else (item[0],))),
        )

    return summarise(by_kind), summarise(by_pair)


def awaiting_by_country(rows):
    """``rows``: (country holding them, home country, person id) of open
    repatriation requests. Each person counts once per pair, however many
    requests name them. Returns [((held_in, home), n)], largest first."""
    seen = defaultdict(set)
    for held, home, person in rows:
        if person is not None:
            seen[(held, home)].add(person)
    return sorted(((pair, len(ids)) for pair, ids in seen.items()), key=lambda item: (-item[1], str(item[0])))
