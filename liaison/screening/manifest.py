"""Travellers to screen: one entered at a checkpoint, or a manifest (CSV or XLSX).

A manifest's first row names its columns (case-insensitive; spaces, hyphens
and underscores are equivalent; other columns are ignored and named in a
warning):

=============  ========  ===================================================
column         required  meaning
=============  ========  ===================================================
name           yes       the name as on the travel document, any script
other_names    no        other spellings or the name in another script,
                         separated by ``;`` (aliases: name_native, aliases)
birth_date     no        YYYY, YYYY-MM, YYYY-MM-DD or DD/MM/YYYY (also with
                         dots or dashes); empty when unknown
nationality    no        ISO code (TH, THA) or country name in English
document       no        passport or travel document number (aliases:
                         passport, passport_number, document_number)
sex            no        male / female / other (M, F accepted)
=============  ========  ===================================================

All or nothing: ``parse_manifest`` returns every problem with its
spreadsheet line (the header is line 1), and a manifest with any problem is
not screened at all, so that the officer fixes the file in one pass and no
traveller is silently left out. Messages are written with gettext at call
time: in the language of whoever reads them.

The file reading (UTF-8 checks, CSV dialects, XLSX through openpyxl) is the
person importer's (``liaison.registry.importer.read_rows``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django_countries import countries

from liaison import names
from liaison.partialdate import PartialDate, PartialDateError

MAX_TRAVELLERS = 20000
MAX_NAMES = 10
MAX_NAME_LENGTH = 300

COLUMNS = {
    "name": ("name", "full_name", "traveller", "traveler"),
    "other_names": ("other_names", "name_native", "native_name", "aliases", "alias"),
    "birth_date": ("birth_date", "date_of_birth", "dob", "birthdate"),
    "nationality": ("nationality", "citizenship", "country"),
    "document": ("document", "document_number", "passport", "passport_number", "passport_no", "travel_document"),
    "sex": ("sex", "gender"),
}
_ALIASES = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
_SEX = {"m": "male", "male": "male", "f": "female", "female": "female", "x": "other", "other": "other",
        "u": "", "unknown": "", "": ""}
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_DOCUMENT = re.compile(r"^[A-Z0-9]{4,20}$")
_COUNTRY_ALIASES = {"burma": "MM", "laos": "LA", "vietnam": "VN", "south korea": "KR", "korea": "KR", "taiwan": "TW"}


class ManifestRefused(Exception):
    """The file as a whole cannot be read (not CSV or XLSX, wrong encoding, no name column)."""


@dataclass
class Traveller:
    """One person to screen, as entered."""

    line: int = 1
    names: list[str] = field(default_factory=list)
    birth_date: str = ""
    nationality: str = ""
    document: str = ""
    sex: str = ""

    def as_dict(self):
        return {"line": self.line, "names": self.names, "birth_date": self.birth_date,
                "nationality": self.nationality, "document": self.document, "sex": self.sex}


@dataclass
class Manifest:
    travellers: list[Traveller] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors and bool(self.travellers)


def header_key(text):
    return re.sub(r"[\s\-]+", "_", (text or "").strip().casefold())


def country_code(text):
    """ISO 3166 alpha-2 code of ``text`` (a code of 2 or 3 letters, or an English name), or None."""
    value = (text or "").strip()
    if not value:
        return None
    if len(value) == 2 and value.upper() in dict(countries):
        return value.upper()
    if len(value) == 3 and value.isalpha():
        code = countries.alpha2(value.upper())
        if code:
            return code
    return _COUNTRY_ALIASES.get(value.casefold()) or countries.by_name(value, insensitive=True) or None


def birth_date(text):
    """(ISO partial date, None) or (None, problem). Day first when written with slashes or dots."""
    value = (text or "").strip()
    if not value:
        return "", None
    found = _DAY_FIRST.match(value)
    if found:
        value = f"{int(found[3]):04d}-{int(found[2]):02d}-{int(found[1]):02d}"
    try:
        return PartialDate.parse(value).isoformat(), None
    except PartialDateError:
        return None, _("date of birth “%(value)s” is not a date: use YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY, "
                       "or leave it empty") % {"value": text.strip()}


def check_traveller(values, line=1):
    """A ``Traveller`` from ``values`` (a dict of the columns above; ``names`` may be a list) and its problems."""
    problems = []
    traveller = Traveller(line=line)
    given = values.get("names")
    if isinstance(given, str) or given is None:
        given = [values.get("name") or "", *re.split(r"[;|]", values.get("other_names") or "")]
    if not isinstance(given, (list, tuple)) or not all(isinstance(n, str) for n in given):
        problems.append(_("the names must be text"))
        given = []
    traveller.names = [n for n in (names.nfc(str(n)).strip() for n in given) if n][:MAX_NAMES]
    if not traveller.names:
        problems.append(_("the name is empty"))
    elif any(len(n) > MAX_NAME_LENGTH for n in traveller.names):
        problems.append(_("a name is longer than %(n)s characters") % {"n": MAX_NAME_LENGTH})

    date, problem = birth_date(str(values.get("birth_date") or ""))
    if problem:
        problems.append(problem)
    else:
        traveller.birth_date = date

    nationality = str(values.get("nationality") or "").strip()
    if nationality:
        code = country_code(nationality)
        if code is None:
            problems.append(_("nationality “%(value)s” is not a country code or country name") % {"value": nationality})
        traveller.nationality = code or ""

    raw = str(values.get("document") or "")
    document = re.sub(r"[\s\-]", "", raw).upper()
    if document and not _DOCUMENT.match(document):
        problems.append(_("document number “%(value)s” is not a document number (4 to 20 letters and digits)")
                        % {"value": raw.strip()})
    traveller.document = document

    sex = str(values.get("sex") or "").strip().casefold()
    if sex in _SEX:
        traveller.sex = _SEX[sex]
    else:
        problems.append(_("sex “%(value)s” is not one of male, female, other") % {"value": values.get("sex")})
    return traveller, problems


def parse_rows(rows):
    """A ``Manifest`` from a table (lists of cells, header first)."""
    manifest = Manifest()
    if not rows:
        manifest.errors.append(_("The file is empty."))
        return manifest
    header = [header_key(c) for c in rows[0]]
    columns, unknown = {}, []
    for index, key in enumerate(header):
        canonical = _ALIASES.get(key)
        if canonical is None:
            if key:
                unknown.append(rows[0][index])
        elif canonical not in columns:
            columns[canonical] = index
    if "name" not in columns:
        manifest.errors.append(_("Line 1: no “name” column. The first row must name the columns: name, and "
                                 "optionally other_names, birth_date, nationality, document, sex."))
        return manifest
    if unknown:
        manifest.warnings.append(_("Columns not used: %(columns)s") % {"columns": ", ".join(unknown)})
    body = [(line, cells) for line, cells in enumerate(rows[1:], start=2) if any((c or "").strip() for c in cells)]
    if len(body) > MAX_TRAVELLERS:
        manifest.errors.append(_("The manifest has %(n)s travellers; at most %(max)s can be screened at once: "
                                 "split it.") % {"n": len(body), "max": MAX_TRAVELLERS})
        return manifest
    for line, cells in body:
        values = {key: (cells[i] if i < len(cells) else "") for key, i in columns.items()}
        traveller, problems = check_traveller(values, line)
        for problem in problems:
            manifest.errors.append(_("Line %(line)s: %(problem)s") % {"line": line, "problem": problem})
        manifest.travellers.append(traveller)
    if not body:
        manifest.errors.append(_("The manifest lists no traveller."))
    return manifest


def parse_manifest(data: bytes, filename: str) -> Manifest:
    """Read and check a manifest file; raises ``ManifestRefused`` for a file that is not a table."""
    from liaison.registry.importer import ImportRefused, read_rows

    try:
        rows = read_rows(data, filename)
    except ImportRefused as exc:
        raise ManifestRefused(str(exc)) from exc
    return parse_rows(rows)
