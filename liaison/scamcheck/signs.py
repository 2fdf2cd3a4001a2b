"""Warning signs of trafficking lures and scams in a text, with their offsets.

Plain Python, no Django. The signs, their words in the ten public languages, the
money threshold and the one-line explanations live in ``data/signs.json`` (see
``data/README.md`` for the advisories they come from), so that adding a word or a
language is an edit to data, and the explanations can later move to the
translation catalogues unchanged.

Every sign is matched in every language at once: a Thai job seeker forwards
offers written in English, a Vietnamese one may mix in Chinese. Only the
explanation follows the reader's language.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from liaison.text.numbers import find_numbers

DATA = Path(__file__).parent / "data" / "signs.json"

# Letters of Latin script (and "_", for handles): a Latin term must not touch one on either side
# ("visa" is not inside "revisable"). Scripts written without spaces (Thai, Lao,
# Khmer, Burmese, Chinese) have no word boundary to ask for.
_LATIN = r"0-9A-Za-z_\u00c0-\u024f\u1e00-\u1eff"
_LATIN_CHAR = re.compile(f"[{_LATIN}]")
_MULTIPLIED = re.compile(r"[^\d.,\s\u00a0\u202f]")  # a number written with a word or sign in it ("2万")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass
class Flag:
    """One warning sign that fired: where (every span, for highlighting) and why."""
    code: str
    explanation: str
    weight: float
    spans: list[Span] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"code": self.code, "explanation": self.explanation, "spans": [s.to_dict() for s in self.spans]}


def _term_pattern(term: str) -> str:
    body = r"\s+".join(re.escape(part) for part in term.split())
    if _LATIN_CHAR.match(term[0]):
        body = f"(?<![{_LATIN}])" + body
    if _LATIN_CHAR.match(term[-1]):
        body += f"(?![{_LATIN}])"
    return body


def _alternation(terms) -> str:
    # Longest first, so that "việc nhẹ lương cao" wins over "việc nhẹ".
    return "|".join(_term_pattern(t) for t in sorted(set(terms), key=len, reverse=True))


def _trie_regex(terms) -> str:
    """One regex for many words, factored as a trie ("ab|ac" -> "a(?:b|c)").

    Python's regex engine tries the branches of an alternation one by one at
    every position; factoring the shared prefixes makes the ~1,000 terms of all
    signs one pass over the text at a few branches per character (about ten
    times faster than a plain alternation).
    """
    trie: dict = {}
    for term in terms:
        node = trie
        for ch in " ".join(term.split()):
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node) -> str:
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + build(node[ch]) for ch in sorted(k for k in node if k)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and "" not in node else "(?:" + "|".join(alts) + ")"
        # greedy "?": the longest term at a position wins
        return body + ("?" if "" in node else "")

    return build(trie)


def _lower(text: str) -> str:
    """Lower case with the same length, so that offsets stay those of the text."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


@dataclass
class _Sign:
    code: str
    weight: float
    explain: dict[str, str]
    pattern: re.Pattern | None  # the sign's own regexes, beyond its terms


class Signs:
    """The compiled sign data: build once (``signs()``), use from any thread."""

    def __init__(self, data: dict):
        self.languages: list[str] = list(data["languages"])
        self.signs: list[_Sign] = []
        # term (lower case, single spaces) -> codes of the signs it belongs to
        self._term_signs: dict[str, list[str]] = {}
        for code, sign in data["signs"].items():
            for words in sign.get("terms", {}).values():
                for term in words:
                    key = " ".join(term.lower().split())
                    if code not in self._term_signs.setdefault(key, []):
                        self._term_signs[key].append(code)
            patterns = [p for patterns in sign.get("regex", {}).values() for p in patterns]
            pattern = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None
            self.signs.append(_Sign(code, float(sign["weight"]), dict(sign["explain"]), pattern))
        # All terms of all signs in one pass over the lower-cased text.
        self._terms = re.compile(_trie_regex(self._term_signs))
        money = data["money"]
        self.threshold_usd = float(money["threshold_usd_per_month"])
        self.default_currency: dict[str, str] = dict(money.get("default_currency", {}))
        self.per_usd: dict[str, float] = {}
        self._currency_of: dict[str, str] = {}
        for code, currency in money["currencies"].items():
            self.per_usd[code] = float(currency["per_usd"])
            for term in currency["terms"]:
                self._currency_of[term.casefold()] = code
        alt = _alternation(self._currency_of)
        self._currency_after = re.compile(rf"\s{{0,2}}({alt})", re.IGNORECASE)
        self._currency_before = re.compile(rf"({alt})\s{{0,2}}$", re.IGNORECASE)
        self._job_words = re.compile(_alternation(w for words in money["job_words"].values() for w in words),
                                     re.IGNORECASE)

    def explanation(self, code: str, language: str) -> str:
        sign = next(s for s in self.signs if s.code == code)
        return sign.explain.get(language) or sign.explain["en"]

    def money(self, text: str, lang: str | None = None) -> list[tuple[Span, float]]:
        """Amounts of money in ``text`` with their value in US dollars (spans include the currency)."""
        found = []
        for number in find_numbers(text, lang):
            start, end, currency = number.start, number.end, None
            after = self._currency_after.match(text, number.end)
            if after:
                currency, end = self._currency_of[after.group(1).casefold()], after.end()
            else:
                before = self._currency_before.search(text, max(0, number.start - 8), number.start)
                if before:
                    currency, start = self._currency_of[before.group(1).casefold()], before.start()
            if currency is None and lang in self.default_currency and _MULTIPLIED.search(number.text):
                # "30 triệu", "2万": written with a multiplier and no currency, the local one
                currency = self.default_currency[lang]
            if currency is None:
                continue
            found.append((Span(start, end, text[start:end]), number.value / self.per_usd[currency]))
        return found

    def find(self, text: str, lang: str | None = None, explain_in: str = "en") -> list[Flag]:
        """Every sign that fires in ``text``, ordered by where it first appears.

        ``lang`` is the language the text is written in (it picks the number words);
        ``explain_in`` the reader's language, for the explanations.
        """
        found: dict[str, list[Span]] = {}
        for m in self._terms.finditer(_lower(text)):
            start, end = m.start(), m.end()
            # Latin-script terms count as whole words only ("visa" is not in "revisable").
            if _LATIN_CHAR.match(text[start]) and start and _LATIN_CHAR.match(text[start - 1]):
                continue
            if _LATIN_CHAR.match(text[end - 1]) and end < len(text) and _LATIN_CHAR.match(text[end]):
                continue
            for code in self._term_signs.get(" ".join(m.group().split()), ()):
                found.setdefault(code, []).append(Span(start, end, text[start:end]))
        flags = []
        for sign in self.signs:
            spans = found.get(sign.code, [])
            if sign.pattern is not None:
                spans = spans + [Span(m.start(), m.end(), m.group()) for m in sign.pattern.finditer(text)]
            if sign.code == "high_pay_no_experience":
                # An amount far above the market counts when the text is about pay or
                # work: "USD 1,500 a month", "เงินเดือน 50,000 บาท", "月薪2万".
                high = [span for span, usd in self.money(text, lang) if usd >= self.threshold_usd
                        if spans or self._job_words.search(text, max(0, span.start - 40), span.end + 40)]
                spans = spans + high
            if spans:
                spans = sorted(set(spans), key=lambda s: (s.start, -s.end))
                flags.append(Flag(sign.code, sign.explain.get(explain_in) or sign.explain["en"], sign.weight, spans))
        flags.sort(key=lambda f: f.spans[0].start)
        return flags


@lru_cache(maxsize=1)
def signs() -> Signs:
    with open(DATA, encoding="utf-8") as fh:
        return Signs(json.load(fh))


def find_signs(text: str, lang: str | None = None, explain_in: str = "en") -> list[Flag]:
    return signs().find(text, lang, explain_in)
