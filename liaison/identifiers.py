"""Identifiers (phones, accounts, wallets, handles...) and their canonical form.

Plain Python, no Django. ``normalize(kind, value)`` returns the canonical form
under which the registry stores and looks up an identifier, so that the same
phone typed as "+95 9 123 456 789" and "0095-9-123456789" is one record, or
raises ``IdentifierError`` with a message an officer can act on.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

import phonenumbers
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from liaison.translatable import gettext_noop

PHONE = "phone"
IBAN_KIND = "iban"
BANK_ACCOUNT = "bank_account"
CRYPTO_WALLET = "crypto_wallet"
DOMAIN = "domain"
URL = "url"
EMAIL = "email"
TELEGRAM = "telegram"
WHATSAPP = "whatsapp"
WECHAT = "wechat"
LINE = "line"
OTHER_HANDLE = "handle"

KINDS = [
    (PHONE, gettext_noop("Phone number")),
    (IBAN_KIND, gettext_noop("Bank account (IBAN)")),
    (BANK_ACCOUNT, gettext_noop("Bank account (national)")),
    (CRYPTO_WALLET, gettext_noop("Crypto wallet")),
    (DOMAIN, gettext_noop("Domain")),
    (URL, gettext_noop("URL")),
    (EMAIL, gettext_noop("E-mail address")),
    (TELEGRAM, gettext_noop("Telegram handle")),
    (WHATSAPP, gettext_noop("WhatsApp number")),
    (WECHAT, gettext_noop("WeChat ID")),
    (LINE, gettext_noop("LINE ID")),
    (OTHER_HANDLE, gettext_noop("Other messaging handle")),
]
KIND_CODES = {code for code, _ in KINDS}


class IdentifierError(ValueError):
    pass


def _clean(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def normalize_phone(value: str, region: str | None = None) -> str:
    """E.164. A number without a country code needs ``region`` (ISO alpha-2)."""
    text = _clean(value)
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, (region or "").upper() or None)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise IdentifierError(
                f"“{value}” has no country code: write it with + and the country code, or choose the country."
            ) from exc
        raise IdentifierError(f"“{value}” is not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise IdentifierError(f"“{value}” is not a valid phone number for its country.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_region(e164: str) -> str | None:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164))
    except phonenumbers.NumberParseException:
        return None


def normalize_iban(value: str) -> str:
    try:
        return IBAN(_clean(value)).compact
    except SchwiftyException as exc:
        raise IdentifierError(f"“{value}” is not a valid IBAN: {exc}") from exc


def normalize_bank_account(value: str) -> str:
    # National account numbers have no common checksum (Cambodia, Myanmar,
    # Thailand...). Keep digits and letters; the bank goes in the label.
    text = re.sub(r"[\s\-./]", "", _clean(value)).upper()
    if not re.fullmatch(r"[0-9A-Z]{4,40}", text):
        raise IdentifierError(f"“{value}” is not a bank account number (4 to 40 letters and digits).")
    return text


_WALLET_PATTERNS = [
    re.compile(r"^0x[0-9a-fA-F]{40}$"),  # Ethereum / EVM (USDT-ERC20)
    re.compile(r"^T[1-9A-HJ-NP-Za-km-z]{33}$"),  # Tron (USDT-TRC20)
    re.compile(r"^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,62}$"),  # Bitcoin
]


def normalize_wallet(value: str) -> str:
    text = re.sub(r"\s", "", _clean(value))
    if text.lower().startswith("0x"):
        text = text.lower()  # EVM addresses are case-insensitive (checksum casing aside)
    elif text.lower().startswith("bc1"):
        text = text.lower()
    if not any(p.match(text) for p in _WALLET_PATTERNS):
        if not re.fullmatch(r"[0-9A-Za-z]{20,120}", text):
            raise IdentifierError(f"“{value}” does not look like a crypto wallet address.")
    return text


def normalize_domain(value: str) -> str:
    text = _clean(value).lower().rstrip(".")
    text = re.sub(r"^[a-z]+://", "", text).split("/")[0].split(":")[0]
    if text.startswith("www."):
        text = text[4:]
    try:
        ascii_form = text.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise IdentifierError(f"“{value}” is not a domain name.") from exc
    if not re.fullmatch(r"(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z0-9-]{2,63}", ascii_form):
        raise IdentifierError(f"“{value}” is not a domain name.")
    return ascii_form


def normalize_url(value: str) -> str:
    text = _clean(value)
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise IdentifierError(f"“{value}” is not a web address.")
    host = normalize_domain(parts.hostname)
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def normalize_email(value: str) -> str:
    text = _clean(value)
    if text.count("@") != 1:
        raise IdentifierError(f"“{value}” is not an e-mail address.")
    local, domain = text.split("@")
    if not local or any(c.isspace() for c in local):
        raise IdentifierError(f"“{value}” is not an e-mail address.")
    return f"{local.lower()}@{normalize_domain(domain)}"


def normalize_handle(value: str) -> str:
    text = _clean(value)
    text = re.sub(r"^(https?://)?(t\.me|telegram\.me)/", "", text, flags=re.I)
    text = text.lstrip("@").strip()
    if not text or any(c.isspace() for c in text):
        raise IdentifierError(f"“{value}” is not a messaging handle (no spaces allowed).")
    return text.casefold()


def normalize_telegram(value: str) -> str:
    text = normalize_handle(value)
    if not re.fullmatch(r"[a-z0-9_]{4,32}", text):
        raise IdentifierError(f"“{value}” is not a Telegram username (5–32 letters, digits or _).")
    return text


def normalize(kind: str, value: str, region: str | None = None) -> str:
    """The canonical form of ``value`` as an identifier of ``kind``."""
    if kind not in KIND_CODES:
        raise IdentifierError(f"Unknown identifier kind “{kind}”.")
    if not _clean(value):
        raise IdentifierError("The identifier is empty.")
    if kind in (PHONE, WHATSAPP):
        return normalize_phone(value, region)
    if kind == IBAN_KIND:
        return normalize_iban(value)
    if kind == BANK_ACCOUNT:
        return normalize_bank_account(value)
    if kind == CRYPTO_WALLET:
        return normalize_wallet(value)
    if kind == DOMAIN:
        return normalize_domain(value)
    if kind == URL:
        return normalize_url(value)
    if kind == EMAIL:
        return normalize_email(value)
    if kind == TELEGRAM:
        return normalize_telegram(value)
    return normalize_handle(value)


def guess_kinds(query: str, region: str | None = None) -> list[tuple[str, str]]:
    """Every (kind, canonical value) that ``query`` could be, for search.

    A search box does not ask what kind of identifier was typed; try them all
    and keep those that parse. ``region`` (ISO alpha-2, the searcher's own
    country) reads a phone number written without its country code the way
    it is dialled there: "081 205 5960" is +66812055960 to a Thai officer.
    """
    found = []
    for kind in (PHONE, IBAN_KIND, CRYPTO_WALLET, EMAIL, URL, DOMAIN, BANK_ACCOUNT, TELEGRAM, WECHAT):
        try:
            found.append((kind, normalize(kind, query, region if kind == PHONE else None)))
        except IdentifierError:
            continue
    return found


# Kinds found from the first characters of their number: a wallet address or
# an account number is long and copied by hand from a screenshot or a bank
# slip, often only its start. Fewer than this many characters would match too
# many numbers to tell the reader anything.
PREFIX_KINDS = (CRYPTO_WALLET, BANK_ACCOUNT, IBAN_KIND)
MIN_PREFIX_LENGTH = 8


def prefix_form(query: str) -> str | None:
    """``query`` as the start of a canonical wallet or account number, or None.

    Spaces, dashes, dots and slashes are dropped as the normalisers drop them;
    what is left must be letters and digits only, at least
    ``MIN_PREFIX_LENGTH`` long. Compared case-insensitively by the caller
    (EVM and bech32 wallets are stored lower case, accounts upper case).
    """
    text = re.sub(r"[\s\-./]", "", _clean(query))
    if len(text) < MIN_PREFIX_LENGTH or not re.fullmatch(r"[0-9A-Za-z]+", text):
        return None
    return text
