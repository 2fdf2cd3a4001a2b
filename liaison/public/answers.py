"""One answer to "is this a scam?", for the check page and ``POST /api/public/check``.

A text gets the scam checker's level and signs (explained in the reader's
language) and every identifier in it; a lone identifier gets only what was
published about it. Nothing here stores the text.
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _l

from liaison import identifiers as idf
from liaison import scamcheck
from liaison.scamcheck.identifiers import find_identifiers

from . import services
from .lang import scamcheck_code

MAX_CHARS = 5000
KIND_LABELS = {
    idf.PHONE: _l("phone number"), idf.IBAN_KIND: _l("bank account"), idf.BANK_ACCOUNT: _l("bank account"),
    idf.CRYPTO_WALLET: _l("crypto wallet"), idf.DOMAIN: _l("website"), idf.URL: _l("link"),
    idf.EMAIL: _l("e-mail address"), idf.TELEGRAM: _l("Telegram account"), idf.WHATSAPP: _l("WhatsApp number"),
    idf.WECHAT: _l("WeChat ID"), idf.LINE: _l("LINE ID"), idf.OTHER_HANDLE: _l("messaging account"),
}


def _single_identifier(text, language):
    """The identifier when the whole input is one (a number, an account, a link, a handle)."""
    if len(text) > 200 or "\n" in text:
        return None
    found = find_identifiers(text, language)
    if len(found) == 1 and len(found[0].text) >= len(text.strip()) - 2:
        return found[0]
    return None


def _segments(text, flags):
    """The text cut into plain and highlighted pieces; each highlight names its sign's number."""
    spans = sorted((s.start, s.end, n) for n, flag in enumerate(flags, 1) for s in flag.spans)
    out, at = [], 0
    for start, end, n in spans:
        if start < at:
            continue  # overlaps the previous highlight
        if start > at:
            out.append({"text": text[at:start], "sign": None})
        out.append({"text": text[start:end], "sign": n})
        at = end
    if at < len(text):
        out.append({"text": text[at:], "sign": None})
    return out


def single_identifier(text, language):
    """The identifier ``answer(text, language)`` answers about alone when the whole input is
    one, else None: known before the answer, it lets the API count the address and the
    identifier in one round trip (``api.answer_check``)."""
    return _single_identifier((text or "").strip()[:MAX_CHARS], scamcheck_code(language))


_FIND = object()


def answer(text, language, single=_FIND):
    """The answer for ``text`` in ``language`` (a public page language code); ``single``,
    when given, is what ``single_identifier`` said of the same text and language."""
    text = (text or "").strip()[:MAX_CHARS]
    code = scamcheck_code(language)
    if single is _FIND:
        single = _single_identifier(text, code)
    if single is not None:
        found, result = [single], None
    else:
        result = scamcheck.check(text, code)
        found = result.identifiers
    unique = list(dict.fromkeys((f.kind, f.value) for f in found))
    listed = services.listings(unique)
    identifiers = [{"kind": kind, "kind_label": str(KIND_LABELS.get(kind, kind)), "value": value,
                    "listed": bool(listed[(kind, value)]["agencies"]), **listed[(kind, value)]}
                   for kind, value in unique]
    data = {"mode": "identifier" if result is None else "text", "identifiers": identifiers}
    if result is not None:
        data.update({"level": result.level, "score": round(result.score, 3), "text_language": result.text_language,
                     "flags": [{"code": f.code, "explanation": f.explanation, "number": n}
                               for n, f in enumerate(result.flags, 1)],
                     "segments": _segments(text, result.flags)})
    return data


def to_json(data):
    """The answer as the API gives it: dates as ISO text, no highlighting pieces."""
    out = {k: v for k, v in data.items() if k != "segments"}
    out["identifiers"] = [{**i, "agencies": [{**a, "since": a["since"].isoformat()} for a in i["agencies"]]}
                          for i in data["identifiers"]]
    return out
