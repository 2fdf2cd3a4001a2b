"""``check(text)``: how risky a message or job offer looks, and why.

Plain Python, no Django, no database: the public check page, its API and
``liaison check messages`` all call this one function.

How the score is made (documented in data/README.md too): the classifier gives
``p``, the probability that the text is a scam, learnt from labelled SMS sets;
each warning sign that fired carries a weight ``w`` (signs.json). They combine
as independent pieces of evidence:

    score = 1 - (1 - p) * prod(1 - w for each sign that fired)

so a sign can only raise the score, no single weak sign (Telegram named, an
urgent tone) makes a text risky, and two or three strong signs do whatever the
classifier says about a language it has seen little of. Levels: ``high`` from
0.70, ``medium`` from 0.40, ``low`` below. ``low`` never means "safe".
"""
from __future__ import annotations

from dataclasses import dataclass, field

from liaison.text.langid import detect_language

from .identifiers import FoundIdentifier, find_identifiers
from .model import classifier
from .signs import Flag, signs

HIGH = 0.70
MEDIUM = 0.40
LANGUAGES = ("en", "zh", "th", "vi", "km", "lo", "my", "id", "ms", "tl")
MAX_CHARS = 20_000  # a pasted message, not a book: longer texts are read up to here


@dataclass
class Result:
    score: float  # 0..1, higher is riskier
    level: str  # low / medium / high
    language: str  # language of the explanations
    text_language: str | None  # language the text seems to be written in
    probability: float  # the classifier's part of the score
    flags: list[Flag] = field(default_factory=list)
    identifiers: list[FoundIdentifier] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.flags]

    def to_dict(self) -> dict:
        return {"score": round(self.score, 3), "level": self.level, "language": self.language,
                "text_language": self.text_language, "probability": round(self.probability, 3),
                "flags": [f.to_dict() for f in self.flags], "identifiers": [i.to_dict() for i in self.identifiers]}


def level_of(score: float) -> str:
    return "high" if score >= HIGH else "medium" if score >= MEDIUM else "low"


def combine(probability: float, flags: list[Flag]) -> float:
    rest = 1.0 - probability
    for flag in flags:
        rest *= 1.0 - flag.weight
    return 1.0 - rest


def _languages(text: str, language: str | None) -> tuple[str | None, str]:
    # The first 600 characters tell the language of a message; reading a whole
    # pasted page with lingua would cost more than everything else together.
    detected, _ = detect_language(text[:600])
    # An unsupported or missing reader language falls back to the text's own
    # language, then to English: an explanation is always given.
    reader = language if language in LANGUAGES else detected if detected in LANGUAGES else "en"
    return detected, reader


def check(text: str, language: str | None = None) -> Result:
    """Score, level, warning signs (with offsets, explained in ``language``) and identifiers of ``text``."""
    return check_many([text], [language])[0]


def check_many(texts: list[str], languages: list[str | None] | None = None) -> list[Result]:
    """``check`` for many texts: the classifier runs once over the batch."""
    texts = [(t or "")[:MAX_CHARS] for t in texts]
    languages = list(languages or [None] * len(texts))
    probabilities = classifier().probability(texts) if texts else []
    results = []
    for text, language, p in zip(texts, languages, probabilities):
        detected, reader = _languages(text, language)
        flags = signs().find(text, detected, reader)
        score = combine(float(p), flags)
        results.append(Result(score=score, level=level_of(score), language=reader, text_language=detected,
                              probability=float(p), flags=flags, identifiers=find_identifiers(text, detected)))
    return results
