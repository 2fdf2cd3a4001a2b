"""Proposed facts as plain data, and whether a proposed event restates a known one.

Plain Python (no Django): the pipeline turns an extracted report into these
dicts, the review service compares them with registry events loaded as plain
dicts, and tests check both in milliseconds. The restatement rule is
hand-written on purpose: it compares one proposal with the few events that
share a figure, a day, a place or a cited sentence, and a reviewer must be
able to read why two reports were judged the same event; a trained record
linkage model would decide the same cases less legibly.
"""
from liaison.partialdate import PartialDate, PartialDateError

EVENT_TYPES = ("raid", "arrest", "detention", "rescue", "handover", "extradition", "deportation", "repatriation",
               "death", "site_closure", "sentence", "sanction", "operation_launch", "meeting", "other")
CATEGORIES = ("suspects", "leaders", "fugitives", "victims", "people", "cases", "sites", "deaths", "sentenced")
QUALIFIERS = ("", "more_than", "at_least", "about", "up_to")
ROLES = ("suspect", "leader", "victim", "official", "witness", "other")
# A match needs this much agreement beyond the kind: one equal figure, or an
# equal date, or a shared place plus shared countries.
MATCH_THRESHOLD = 2.0


def _strings(values):
    return [" ".join(str(v).split()) for v in values or [] if v and str(v).strip()]


def clean_event(raw):
    """An extracted event (the extractor's dict) as the data of an event proposal."""
    counts = {}
    for category, value in (raw.get("counts") or {}).items():
        try:
            value = int(value)
        except (TypeError, ValueError):
            continue
        if category in CATEGORIES and value >= 0:
            counts[category] = value
    qualifiers = {c: q for c, q in (raw.get("qualifiers") or {}).items() if c in counts and q in QUALIFIERS and q}
    persons = []
    for person in raw.get("persons") or []:
        name = " ".join(str((person or {}).get("name", "")).split())
        if name:
            role = person.get("role") if person.get("role") in ROLES else "other"
            persons.append({"name": name, "role": role})
    kind = raw.get("type") if raw.get("type") in EVENT_TYPES else "other"
    data = {
        "type": kind,
        "date": raw.get("date") or "",
        "countries": sorted({str(c).upper() for c in raw.get("countries") or [] if c and len(str(c)) == 2}),
        "places": _strings(raw.get("places")),
        "agencies": _strings(raw.get("agencies")),
        "operation": " ".join(str(raw.get("operation") or "").split()),
        "counts": counts,
        "qualifiers": qualifiers,
        "persons": persons,
    }
    data["title"] = event_title(data)
    return data


QUALIFIER_WORDS = {"more_than": "more than ", "at_least": "at least ", "about": "about ", "up_to": "up to "}


def figures_text(data):
    """"more than 70,000 suspects, 160 cases" — how the review queue states a proposal's figures."""
    parts = []
    for category, value in (data.get("counts") or {}).items():
        qualifier = QUALIFIER_WORDS.get((data.get("qualifiers") or {}).get(category, ""), "")
        parts.append(f"{qualifier}{value:,} {category}")
    return ", ".join(parts)


def event_title(data):
    """A title for a new event, from what the report states: "Handover: 571 suspects, Muse"."""
    title = data.get("type", "other").replace("_", " ").capitalize()
    details = [d for d in (figures_text(data), ", ".join(data.get("places") or [])) if d]
    if data.get("operation"):
        details.append(data["operation"])
    return f"{title}: {' — '.join(details)}"[:300] if details else title


def proposals_from_report(report):
    """The proposals of one extracted report (its ``to_dict()``), in text order.

    Each event is one proposal; every operation and person it names is one more
    (once per document), with the evidence of the first event that names it, so
    the analyst can record the operation or person even when rejecting the event.
    """
    proposals, seen_operations, seen_persons = [], set(), set()
    for raw in report.get("events") or []:
        data = clean_event(raw)
        if data["title"] == event_title({"type": data["type"]}) and raw.get("evidence"):
            # Nothing but the kind to go by: the first words of the evidence say which event it is.
            words = " ".join(str(raw["evidence"]).split())
            data["title"] = f"{data['title']}: {words[:80].rstrip()}{'…' if len(words) > 80 else ''}"
        evidence = {"evidence": raw.get("evidence") or "", "evidence_start": raw.get("evidence_start"),
                    "evidence_end": raw.get("evidence_end"), "confidence": raw.get("confidence")}
        proposals.append({"kind": "event", "data": data, **evidence})
        name = data["operation"]
        if name and name.casefold() not in seen_operations:
            seen_operations.add(name.casefold())
            proposals.append({"kind": "operation", "data": {"name": name, "countries": data["countries"]}, **evidence})
        for person in data["persons"]:
            if person["name"].casefold() not in seen_persons:
                seen_persons.add(person["name"].casefold())
                proposals.append({"kind": "person", "data": dict(person), **evidence})
    return proposals


def locate(text, evidence, start=None, end=None):
    """(start, end) of ``evidence`` in ``text``: the given offsets when they hold, else the first occurrence."""
    if not evidence:
        return (None, None)
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text) and text[start:end] == evidence:
        return (start, end)
    found = text.find(evidence)
    if found < 0:
        return (None, None)
    return (found, found + len(evidence))


def _date(text):
    try:
        return PartialDate.parse(text) if text else None
    except PartialDateError:
        return None


def dates_compatible(a, b):
    """Whether two partial dates can be the same day: "--11-18" and "2025-11-18" can, "2025-11" and "2025-12" cannot."""
    first, second = _date(a), _date(b)
    if first is None or second is None:
        return True
    return all(x is None or y is None or x == y for x, y in
               ((first.year, second.year), (first.month, second.month), (first.day, second.day)))


def _norm(text):
    return " ".join(str(text).casefold().split())


def places_overlap(first, second):
    """"Muse" and "Muse, northern Shan State" overlap: one contains the other."""
    a, b = [_norm(p) for p in first if p], [_norm(p) for p in second if p]
    return any(x in y or y in x for x in a for y in b if len(x) >= 3 and len(y) >= 3)


def kinds_compatible(a, b):
    """The same kind, or one of them "other" (the extractor's word for a meeting, a statement...)."""
    return a == b or "other" in (a, b)


def _overlaps(evidence, quoted):
    evidence = _norm(evidence or "")
    return bool(evidence) and any(q and (q in evidence or evidence in q) for q in (_norm(x) for x in quoted or []))


def restatement_score(new, old):
    """How surely proposed event ``new`` reports registry event ``old``; None when they cannot be the same.

    Both are plain dicts: type, date, countries, places, counts, operation (a
    name), persons (names), and for ``old`` the ``evidence`` it already quotes
    from this very report. A conflict rules a match out: different dates, a
    figure of the same category with another value, no country in common.
    Then agreement adds up: the same sentence of the same report already cited
    3, an equal figure 2, an equal full date 2, a shared place 1, the same
    operation 1, each shared participant 1, shared countries 0.5. Different
    kinds match only when two or more figures agree (reports call the same
    handover an extradition), "other" matches any kind on the same evidence.
    """
    if not dates_compatible(new.get("date"), old.get("date")):
        return None
    new_counts, old_counts = new.get("counts") or {}, old.get("counts") or {}
    shared = set(new_counts) & set(old_counts)
    if any(new_counts[c] != old_counts[c] for c in shared):
        return None
    new_countries, old_countries = set(new.get("countries") or []), set(old.get("countries") or [])
    if new_countries and old_countries and not new_countries & old_countries:
        return None
    if not kinds_compatible(new.get("type"), old.get("type")) and len(shared) < 2:
        return None
    score = 2.0 * len(shared)
    if _overlaps(new.get("evidence"), old.get("evidence")):
        score += 3
    if new.get("date") and old.get("date") and new.get("date") == old.get("date"):
        score += 2
    if places_overlap(new.get("places") or [], old.get("places") or []):
        score += 1
    if new.get("operation") and old.get("operation") and places_overlap([new["operation"]], [old["operation"]]):
        score += 1
    new_people = {_norm(p["name"] if isinstance(p, dict) else p) for p in new.get("persons") or []}
    old_people = {_norm(p["name"] if isinstance(p, dict) else p) for p in old.get("persons") or []}
    score += len(new_people & old_people - {""})
    if new_countries & old_countries:
        score += 0.5
    if new.get("type") != old.get("type") and "other" in (new.get("type"), old.get("type")) and score < 3:
        return None  # "other" is too vague to match on figures or places alone
    return score


def best_restatement(new, candidates):
    """The candidate (a dict with an ``id``) ``new`` most surely restates, or None below the threshold."""
    best, best_score = None, MATCH_THRESHOLD - 0.001
    for old in candidates:
        score = restatement_score(new, old)
        if score is not None and score > best_score:
            best, best_score = old, score
    return best


def ranked_restatements(new, candidates, limit=5):
    """(score, candidate) pairs at or above the threshold, best first: the choices offered to the reviewer."""
    scored = [(restatement_score(new, old), old) for old in candidates]
    kept = [(score, old) for score, old in scored if score is not None and score >= MATCH_THRESHOLD]
    kept.sort(key=lambda pair: (-pair[0], -(pair[1].get("id") or 0)))
    return kept[:limit]
