"""The classifier's fast path (liaison/scamcheck/model.py) scores exactly as
scikit-learn's HashingVectorizer would: same n-grams, same hashed indices, same l2
norm. A reader would notice a difference as a level that changes; here every
probability is compared, on the written examples in ten languages, on texts that
stress lower-casing and white space, and on the English labelled sets when present."""
import csv
from pathlib import Path

import numpy as np
import pytest

from liaison.scamcheck.model import classifier, prepare
from liaison.scamcheck.signs import DATA

WRITTEN = Path(DATA).parent / "written_examples.csv"
UCI = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "sms_spam_collection" / "SMSSpamCollection"
AWKWARD = ["", "   ", "x", "ΟΔΟΣ ΣΟΦΟΣ Straße İstanbul ǅemal", "a  b\t\tc \n d\u00a0e\u3000f",
           "โทร ๐๘๑ ๒๓๔ ๕๖๗๘ ด่วน!!! รายได้ดี", "加微信 vx: abc123456 日结 300元", "WIN A PRIZE!!! call 09012345678 now",
           "ငွေ ၅၀၀ ဒေါ်လာ", "ເງິນເດືອນ ໑໕໐໐ ໂດລາ", "ប្រាក់ខែ ១៥០០ ដុល្លារ"]


def _sklearn(texts):
    model = classifier()
    logits = model._vectorizer.transform([prepare(t) for t in texts]) @ model.coef + model.intercept
    return 1.0 / (1.0 + np.exp(-logits))


def _texts_of(path, column="text"):
    with open(path, encoding="utf-8", newline="") as handle:
        return [row[column] for row in csv.DictReader(handle)]


def test_the_shipped_model_takes_the_fast_path():
    assert classifier()._fast


def test_written_examples_and_awkward_texts_score_as_sklearn_scores_them():
    texts = _texts_of(WRITTEN) + AWKWARD
    texts += [t * 3 for t in texts[:20]]  # words repeated: counts above one
    fast = classifier().probability(texts)
    assert np.abs(fast - _sklearn(texts)).max() < 1e-9


@pytest.mark.skipif(not UCI.exists(), reason="the shared labelled sets are not beside the repository")
def test_the_uci_sms_set_scores_as_sklearn_scores_it():
    texts = [line.split("\t", 1)[-1] for line in UCI.read_text(encoding="utf-8", errors="replace").splitlines()]
    fast = classifier().probability(texts)
    assert np.abs(fast - _sklearn(texts)).max() < 1e-9
