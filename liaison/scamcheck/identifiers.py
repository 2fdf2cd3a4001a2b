"""Identifiers written inside a message: phones, e-mails, links, handles, accounts, wallets.

Plain Python, no Django. Finding is done here, with offsets; the canonical form
always comes from the registry's own normaliser (``liaison.identifiers``), so
that a number found in a pasted message is the very key under which officers
record and publish it (E.164 phones, compact IBANs, lower-case domains...).
A candidate the normaliser refuses is not an identifier and is left out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from liaison import identifiers as ids
from liaison.text.numbers import to_ascii_digits

# Country whose numbering plan a phone written without "+" most likely follows,
# from the language of the message.
REGION_OF_LANGUAGE = {"th": "TH", "vi": "VN", "km": "KH", "lo": "LA", "my": "MM", "id": "ID", "ms": "MY",
                      "tl": "PH", "zh": "CN"}


@dataclass(frozen=True)
class FoundIdentifier:
    kind: str  # one of liaison.identifiers.KIND_CODES
    value: str  # canonical form (liaison.identifiers.normalize)
    start: int
    end: int
    text: str  # as written

    def to_dict(self) -> dict:
        return {"kind": self.kind, "value": self.value, "start": self.start, "end": self.end, "text": self.text}


_TLDS = ("com|net|org|info|biz|xyz|top|vip|cc|io|me|co|asia|shop|site|online|app|link|club|live|icu|cn|kh|th|vn|"
         "la|mm|id|my|ph|sg|hk|tw|uk|us|ru")
_URL_END = r"[^\s<>\"'`()\[\]{}（）【】「」，。、]+"
_PATTERNS: list[tuple[str, re.Pattern]] = [
    # order = priority when two candidates overlap
    ("telegram_link", re.compile(r"(?:https?://)?(?:t\.me|telegram\.me)/[A-Za-z0-9_]{4,32}", re.IGNORECASE)),
    ("whatsapp_link", re.compile(r"(?:https?://)?(?:wa\.me|api\.whatsapp\.com/send\?phone=)/?\+?\d{7,15}", re.IGNORECASE)),
    ("line_link", re.compile(r"(?:https?://)?line\.me/(?:ti/p/|R/ti/p/)?~?[A-Za-z0-9._@-]{3,40}", re.IGNORECASE)),
    (ids.URL, re.compile(r"(?:https?://|www\.)" + _URL_END, re.IGNORECASE)),
    (ids.EMAIL, re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}", re.IGNORECASE)),
    (ids.CRYPTO_WALLET, re.compile(r"(?<![0-9A-Za-z])(?:0x[0-9a-fA-F]{40}|T[1-9A-HJ-NP-Za-km-z]{33}|"
                                   r"bc1[a-z0-9]{25,62}|[13][1-9A-HJ-NP-Za-km-z]{25,34})(?![0-9A-Za-z])")),
    (ids.IBAN_KIND, re.compile(r"(?<![0-9A-Za-z])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![0-9A-Za-z])")),
    ("line_id", re.compile(r"(?:(?<![A-Za-z])line\s*(?:id)?|id\s*line|ไลน์|ໄລນ໌)\s*[:：]?\s*@?([A-Za-z0-9._-]{2,29}[A-Za-z0-9_])", re.IGNORECASE)),
    (ids.WECHAT, re.compile(r"(?:wechat(?:\s*id)?|微信号?|vx|weixin)\s*[:：]?\s*([A-Za-z][A-Za-z0-9_-]{5,19})", re.IGNORECASE)),
    ("at_handle", re.compile(r"(?<![\w@.])@([A-Za-z][A-Za-z0-9_]{3,31})(?![\w@])")),
    (ids.PHONE, re.compile(r"(?<![\w+])(?:\+|00)?\d[\d \-.()\u00a0]{6,18}\d(?!\w)")),
    (ids.DOMAIN, re.compile(r"(?<![\w@./-])(?:[A-Za-z0-9-]{2,63}\.)+(?:" + _TLDS + r")(?![\w.-]*\w)", re.IGNORECASE)),
]
_BANK_WORDS = re.compile(r"(?:account|acct|a/c|bank|rekening|norek|akaun|tài khoản|stk|ngân hàng|บัญชี|ธนาคาร|"
                         r"账号|账户|银行卡|卡号|គណនី|ធនាគារ|ບັນຊີ|ທະນາຄານ|ဘဏ်|အကောင့်|account no|numero ng account)", re.IGNORECASE)
_BANK_NUMBER = re.compile(r"(?<![\w+])\d[\d \-]{6,24}\d(?!\w)")
_THOUSANDS = re.compile(r"\d{1,3}(?:[ .,]\d{3})+")


@lru_cache(maxsize=8192)  # pure, and the same numbers and handles come back check after check
def _normalize(kind: str, value: str, region: str | None) -> str | None:
    try:
        return ids.normalize(kind, value, region)
    except ids.IdentifierError:
        return None


def find_identifiers(text: str, lang: str | None = None) -> list[FoundIdentifier]:
    """Every identifier in ``text``, canonical, with offsets, in reading order.

    ``lang`` (the text's language) tells which country a phone number written
    without its country code belongs to.
    """
    region = REGION_OF_LANGUAGE.get(lang or "")
    plain = to_ascii_digits(text)  # Thai, Lao, Khmer, Burmese digits; same length, same offsets
    taken = [False] * (len(text) + 1)
    found: list[FoundIdentifier] = []

    def add(kind, start, end, candidate, reg=region):
        if any(taken[start:end]):
            return False
        value = _normalize(kind, candidate, reg)
        if value is None:
            return False
        for i in range(start, end):
            taken[i] = True
        found.append(FoundIdentifier(kind, value, start, end, text[start:end]))
        return True

    # Bank accounts first where a bank word announces them, so that the digits are
    # not read as a phone number.
    for word in _BANK_WORDS.finditer(plain):
        m = _BANK_NUMBER.search(plain, word.end(), min(len(plain), word.end() + 40))
        if m and not _THOUSANDS.fullmatch(m.group()):
            add(ids.BANK_ACCOUNT, m.start(), m.end(), m.group())

    for name, pattern in _PATTERNS:
        for m in pattern.finditer(plain):
            start, end = m.start(), m.end()
            if name == "telegram_link":
                add(ids.TELEGRAM, start, end, m.group())
            elif name == "whatsapp_link":
                digits = re.sub(r"\D", "", m.group().split("/")[-1].split("=")[-1])
                add(ids.WHATSAPP, start, end, "+" + digits)
            elif name == "line_link":
                add(ids.LINE, start, end, m.group().rstrip("/").split("/")[-1].lstrip("~"))
            elif name == "line_id":
                add(ids.LINE, m.start(1), m.end(1), m.group(1))
            elif name == ids.WECHAT:
                add(ids.WECHAT, m.start(1), m.end(1), m.group(1))
            elif name == "at_handle":
                # An @name is a Telegram username in these messages unless Line is named just before.
                before = plain[max(0, start - 25):start].lower()
                if "line" in before or "ไลน์" in before:
                    add(ids.LINE, start, end, m.group(1))
                elif not add(ids.TELEGRAM, start, end, m.group(1)):
                    add(ids.OTHER_HANDLE, start, end, m.group(1))
            elif name == ids.URL:
                candidate = m.group().rstrip(".,;:!?")
                add(ids.URL, start, start + len(candidate), candidate)
            elif name == ids.PHONE:
                candidate = m.group().strip()
                if _THOUSANDS.fullmatch(candidate):  # "1 500 000" is an amount, not a number to call
                    continue
                digits = re.sub(r"\D", "", candidate)
                if not 8 <= len(digits) <= 15:
                    continue
                reg = None if candidate.startswith(("+", "00")) else region
                add(ids.PHONE, start, end, candidate, reg)
            else:
                add(name, start, end, m.group())
    found.sort(key=lambda f: f.start)
    return found
