"""Scoring extracted reports against ground truth in the extraction format.

Plain Python, no Django.

Matching predicted to gold events, per report: every (predicted, gold) pair
gets a score = evidence overlap (share of the shorter evidence's character
trigrams found in the other, after normalisation; gold evidence may be
abridged with "..."), + 0.5 if the types agree, + 0.25 per shared figure
(category and value). A pair can match when the evidence overlap is at least
0.5, or when the types agree and a figure is shared. Pairs are taken greedily,
best score first, each event at most once.

Per field, items are counted as true positives (in both), false positives
(predicted only) and false negatives (gold only): ``events`` (matched pairs);
``type``, ``date``, ``operation`` (one item each when not null); ``countries``
(codes); ``places``, ``agencies`` (names, equal after NFC + casefold + spaces
collapsed, or one containing the other); ``counts`` (category, value);
``qualifiers`` (category, qualifier); ``persons`` (name as for places, role);
``language`` and ``published`` (one item per report). Unmatched events count
all their items as false positives or negatives. Overall and per-language
figures sum the counts of every field (micro average).

Headline figures, report by report (``HEADLINE``): what a reviewer reads in the
queue, whichever event each fact was put in. ``figures`` is the bag of
(category, value) of every event of the report, ``figures_typed`` the bag of
(event type, category, value), ``types``, ``dates`` and ``countries`` the sets
of event types, dates and country codes, ``persons`` the set of names (equal as
for places). They are scored apart from the per-event fields and are not in
OVERALL, so the per-event figures stay comparable with earlier rounds; they are
printed by field and by language because that is how the targets of issue 12
are stated.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HEADLINE = ("figures", "figures_typed", "types", "dates", "persons", "countries")

FIELDS = ("events", "type", "date", "countries", "places", "agencies", "operation", "counts", "qualifiers",
          "persons", "language", "published")


def norm(text: str | None) -> str:
    text = unicodedata.normalize("NFC", text or "").casefold()
    return re.sub(r"\s+", " ", text).strip()


def _trigrams(text: str) -> set[str]:
    parts = [p for p in re.split(r"\.\.\.|…", norm(text)) if p.strip()]
    grams = set()
    for p in parts:
        p = re.sub(r"\s+", " ", p.strip())
        grams.update(p[i:i + 3] for i in range(max(1, len(p) - 2)))
    return grams


def overlap(a: str, b: str) -> float:
    ga, gb = _trigrams(a), _trigrams(b)
    if not ga or not gb:
        return 0.0
    return len(ga & gb) / min(len(ga), len(gb))


def same_name(a: str, b: str) -> bool:
    x, y = norm(a), norm(b)
    return bool(x and y) and (x == y or x in y or y in x)


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: "Tally"):
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        if self.tp + self.fp + self.fn == 0:
            return 1.0
        return 2 * p * r / (p + r) if p + r else 0.0


def _match_items(pred: list, gold: list, equal) -> Tally:
    remaining = list(gold)
    t = Tally()
    for p in pred:
        for g in remaining:
            if equal(p, g):
                remaining.remove(g)
                t.tp += 1
                break
        else:
            t.fp += 1
    t.fn += len(remaining)
    return t


def _items(event: dict, name: str) -> list:
    if event is None:
        return []
    if name == "type":
        return [event.get("type")] if event.get("type") else []
    if name in ("date", "operation"):
        return [event[name]] if event.get(name) else []
    if name in ("countries", "places", "agencies"):
        return list(dict.fromkeys(event.get(name) or []))
    if name == "counts":
        return sorted((event.get("counts") or {}).items())
    if name == "qualifiers":
        return sorted((event.get("qualifiers") or {}).items())
    if name == "persons":
        return [(p.get("name", ""), p.get("role", "")) for p in event.get("persons") or []]
    raise KeyError(name)


def _equal(name: str):
    if name in ("places", "agencies", "operation"):
        return same_name
    if name == "persons":
        return lambda a, b: same_name(a[0], b[0]) and a[1] == b[1]
    return lambda a, b: a == b


def match_events(pred: list[dict], gold: list[dict]) -> list[tuple[int, int]]:
    pairs = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            ov = overlap(p.get("evidence", ""), g.get("evidence", ""))
            same_type = p.get("type") == g.get("type")
            shared = len(set((p.get("counts") or {}).items()) & set((g.get("counts") or {}).items()))
            if ov >= 0.5 or (same_type and shared):
                pairs.append((ov + 0.5 * same_type + 0.25 * shared, i, j))
    pairs.sort(reverse=True)
    used_p, used_g, out = set(), set(), []
    for _, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            out.append((i, j))
    return out


def _report_items(report: dict, name: str) -> list:
    events = report.get("events") or []
    if name == "figures":
        return sorted((c, v) for e in events for c, v in (e.get("counts") or {}).items())
    if name == "figures_typed":
        return sorted((e.get("type"), c, v) for e in events for c, v in (e.get("counts") or {}).items())
    if name == "types":
        return sorted({e["type"] for e in events if e.get("type")})
    if name == "dates":
        return sorted({e["date"] for e in events if e.get("date")})
    if name == "countries":
        return sorted({c for e in events for c in e.get("countries") or []})
    if name == "persons":
        names = []
        for e in events:
            for person in e.get("persons") or []:
                if person.get("name") and not any(same_name(person["name"], n) for n in names):
                    names.append(person["name"])
        return names
    raise KeyError(name)


def score_headline(pred: dict, gold: dict) -> dict[str, Tally]:
    """The report-level figures (``HEADLINE``) of one report."""
    return {name: _match_items(_report_items(pred, name), _report_items(gold, name),
                               same_name if name == "persons" else (lambda a, b: a == b))
            for name in HEADLINE}


def score_report(pred: dict, gold: dict) -> dict[str, Tally]:
    tallies = {f: Tally() for f in FIELDS}
    pe, ge = pred.get("events") or [], gold.get("events") or []
    pairs = match_events(pe, ge)
    matched_p = {i for i, _ in pairs}
    matched_g = {j for _, j in pairs}
    tallies["events"] = Tally(len(pairs), len(pe) - len(pairs), len(ge) - len(pairs))
    fields = [f for f in FIELDS if f not in ("events", "language", "published")]
    for i, j in pairs:
        for f in fields:
            tallies[f].add(_match_items(_items(pe[i], f), _items(ge[j], f), _equal(f)))
    for i, p in enumerate(pe):
        if i not in matched_p:
            for f in fields:
                tallies[f].fp += len(_items(p, f))
    for j, g in enumerate(ge):
        if j not in matched_g:
            for f in fields:
                tallies[f].fn += len(_items(g, f))
    for f in ("language", "published"):
        tallies[f].add(_match_items([pred.get(f)] if pred.get(f) else [], [gold.get(f)] if gold.get(f) else [],
                                    lambda a, b: a == b))
    return tallies


@dataclass
class Evaluation:
    per_field: dict[str, Tally] = field(default_factory=lambda: {f: Tally() for f in FIELDS})
    per_language: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    per_report: dict[str, Tally] = field(default_factory=dict)
    overall: Tally = field(default_factory=Tally)
    headline: dict[str, Tally] = field(default_factory=lambda: {f: Tally() for f in HEADLINE})
    headline_by_language: dict[str, dict[str, Tally]] = field(
        default_factory=lambda: defaultdict(lambda: {f: Tally() for f in HEADLINE}))
    reports: int = 0

    def add_headline(self, language: str, tallies: dict[str, Tally]):
        for f, t in tallies.items():
            self.headline[f].add(t)
            self.headline_by_language[language][f].add(t)

    def add(self, report_id: str, language: str, tallies: dict[str, Tally]):
        self.reports += 1
        total = Tally()
        for f, t in tallies.items():
            self.per_field[f].add(t)
            total.add(t)
        self.per_language[language].add(total)
        self.per_report[report_id] = total
        self.overall.add(total)

    def as_dict(self) -> dict:
        def row(t: Tally):
            return {"precision": round(t.precision, 3), "recall": round(t.recall, 3), "f1": round(t.f1, 3),
                    "tp": t.tp, "fp": t.fp, "fn": t.fn}

        return {"reports": self.reports, "overall": row(self.overall),
                "fields": {f: row(t) for f, t in self.per_field.items()},
                "languages": {lang: row(t) for lang, t in sorted(self.per_language.items())},
                "per_report": {r: row(t) for r, t in sorted(self.per_report.items())},
                "headline": {f: row(t) for f, t in self.headline.items()},
                "headline_by_language": {lang: {f: row(t) for f, t in fields.items()}
                                         for lang, fields in sorted(self.headline_by_language.items())}}


class GoldError(ValueError):
    pass


def load_pairs(folder: Path, pattern: str = "*.txt") -> list[tuple[Path, dict]]:
    """(text file, gold dict) for every FILE.txt with a FILE.json beside it."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GoldError(f"{folder} is not a folder.")
    pairs = []
    for txt in sorted(folder.glob(pattern)):
        gold_path = txt.with_suffix(".json")
        if not gold_path.exists():
            continue
        try:
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise GoldError(f"{gold_path.name} is not valid JSON: {exc}") from exc
        if not isinstance(gold, dict) or "events" not in gold:
            raise GoldError(f"{gold_path.name} has no \"events\" list.")
        pairs.append((txt, gold))
    if not pairs:
        raise GoldError(f"{folder} holds no FILE.txt with a FILE.json beside it.")
    return pairs


def evaluate_folder(folder: Path, extract, pattern: str = "*.txt", select=None) -> Evaluation:
    """Run ``extract(text, doc_id) -> dict`` (extraction format) over a folder and score it."""
    ev = Evaluation()
    for txt, gold in load_pairs(folder, pattern):
        if select and not select(txt, gold):
            continue
        pred = extract(txt.read_text(encoding="utf-8"), txt.stem)
        language = gold.get("language") or "?"
        ev.add(txt.stem, language, score_report(pred, gold))
        ev.add_headline(language, score_headline(pred, gold))
    return ev
