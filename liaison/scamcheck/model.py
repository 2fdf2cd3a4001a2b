"""The message classifier: character n-grams, hashed, and a logistic regression.

Plain Python, no Django, no model download. Character n-grams work in every
script, including those written without spaces (Thai, Lao, Khmer, Burmese,
Chinese), and hashing keeps no vocabulary: the shipped file is the weight
vector of the linear model plus the hashing parameters, stored as a numpy
``.npz`` and loaded with ``allow_pickle=False`` (a pickle could run code).
At run time scikit-learn's stateless ``HashingVectorizer`` rebuilds the same
features from those parameters; nothing is fitted.

Trained by ``bench/train_scamcheck.py`` (data and licences in ``data/README.md``).
"""
from __future__ import annotations

import json
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np

from liaison.text.numbers import to_ascii_digits

WEIGHTS = Path(__file__).parent / "data" / "classifier.npz"

# Hashing parameters of the shipped model; stored in the file too, and the file wins.
HASHING = {"analyzer": "char_wb", "ngram_range": [2, 3], "n_features": 2 ** 18, "alternate_sign": False,
           "lowercase": True, "norm": "l2"}

_DIGITS = re.compile(r"\d")


def prepare(text: str) -> str:
    """The text as the model reads it: NFKC, any script's digits as 0 (a number's value says little)."""
    return _DIGITS.sub("0", to_ascii_digits(unicodedata.normalize("NFKC", text or "")))


def _vectorizer(params: dict):
    from sklearn.feature_extraction.text import HashingVectorizer

    params = dict(params)
    params["ngram_range"] = tuple(params["ngram_range"])
    return HashingVectorizer(**params)


class Classifier:
    """``probability(texts)``: how likely each text is a scam or spam, 0 to 1."""

    def __init__(self, coef: np.ndarray, intercept: float, hashing: dict, meta: dict | None = None):
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = float(intercept)
        self.hashing = dict(hashing)
        self.meta = dict(meta or {})
        self._vectorizer = _vectorizer(self.hashing)
        self._fast = self._fast_path_applies()
        self._analyze = self._vectorizer.build_analyzer()  # on one word: lower-cased, padded, as in a text
        self._indices = lru_cache(maxsize=20_000)(self._word_indices)

    def probability(self, texts: list[str]) -> np.ndarray:
        if self._fast:
            logits = np.array([self._logit(prepare(t)) for t in texts], dtype=np.float64)
        else:
            logits = self._vectorizer.transform([prepare(t) for t in texts]) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))

    # The shipped hashing (char_wb n-grams, no alternate sign, l2 norm) computed without
    # building a sparse matrix: HashingVectorizer makes its n-grams in Python and spent
    # 0.7 ms on a 1 KB text, nine tenths of it on n-grams, hashing and the matrix for
    # one row. With char_wb every n-gram lies within one word, so each word's feature
    # indices are cached (pure; scam messages repeat their words) and the logit is
    # (coef · counts) / ‖counts‖ + intercept, what the l2-normalised row gives. Indices
    # are sklearn's own: its analyzer, and murmurhash3_32 folded as FeatureHasher folds
    # it (tests/plain/test_scamcheck_fast_path.py compares both, text by text).

    def _fast_path_applies(self) -> bool:
        v = self._vectorizer
        return (v.analyzer == "char_wb" and not v.binary and not v.alternate_sign and v.norm == "l2"
                and v.preprocessor is None and v.tokenizer is None and v.strip_accents is None
                and v.input == "content")

    def _word_indices(self, word: str) -> tuple[int, ...]:
        from sklearn.utils import murmurhash3_32

        n = self._vectorizer.n_features
        out = []
        for gram in self._analyze(word):
            h = murmurhash3_32(gram, seed=0)
            # FeatureHasher's fold; abs(-2**31) does not fit an int32, so it defines that case apart.
            out.append((2147483647 - (n - 1)) % n if h == -2147483648 else abs(h) % n)
        return tuple(out)

    def _logit(self, text: str) -> float:
        indices = [i for word in text.split() for i in self._indices(word)]
        if not indices:
            return self.intercept
        unique, counts = np.unique(np.array(indices, dtype=np.int64), return_counts=True)
        counts = counts.astype(np.float64)
        return float(self.coef[unique].astype(np.float64) @ counts / np.sqrt(counts @ counts)) + self.intercept

    @classmethod
    def train(cls, texts: list[str], labels: list[int], *, sample_weight=None, C: float = 4.0,
              hashing: dict | None = None, meta: dict | None = None) -> Classifier:
        from sklearn.linear_model import LogisticRegression

        hashing = dict(hashing or HASHING)
        features = _vectorizer(hashing).transform([prepare(t) for t in texts])
        model = LogisticRegression(C=C, class_weight="balanced", max_iter=2000, solver="liblinear")
        model.fit(features, labels, sample_weight=sample_weight)
        return cls(model.coef_[0], model.intercept_[0], hashing, meta)

    def save(self, path: Path = WEIGHTS) -> None:
        np.savez_compressed(path, coef=self.coef, intercept=np.array([self.intercept], dtype=np.float64),
                            hashing=np.array(json.dumps(self.hashing)), meta=np.array(json.dumps(self.meta)))

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Classifier:
        with np.load(path, allow_pickle=False) as data:
            return cls(data["coef"], float(data["intercept"][0]), json.loads(str(data["hashing"])),
                       json.loads(str(data["meta"])))


_lock = threading.Lock()
_shipped: Classifier | None = None


def classifier() -> Classifier:
    """The shipped classifier, loaded on first use and kept."""
    global _shipped
    if _shipped is None:
        with _lock:
            if _shipped is None:
                _shipped = Classifier.load()
    return _shipped
