"""Bulk import of person lists (handover lists, rescue lists, wanted lists).

A list arrives as a CSV (UTF-8) or XLSX file whose first row names the
columns. ``validate(data, filename)`` reads and checks every row and returns
an ``ImportReport`` naming *every* problem with its spreadsheet line (the
header is line 1), so an officer fixes the whole file in one pass instead of
one error per upload. ``import_persons(report, ...)`` writes all rows or none.

Columns (case-insensitive; spaces, hyphens and underscores are equivalent):

===============  ========  ==================================================
column           required  meaning
===============  ========  ==================================================
name             yes       the name as written on the list (any script)
name_native      no        other names, e.g. the name in its own script;
                           several separated by ``;`` (aliases: other_names)
script           no        ISO 15924 code of ``name`` (Latn, Hani, Thai…)
language         no        language of ``name``, e.g. zh, my, vi
sex              no        male / female / other (M, F accepted)
birth_date       no        YYYY, YYYY-MM, YYYY-MM-DD or --MM-DD
nationality      no        ISO code (MM) or country name (Myanmar); ``;`` for several
passport         no        passport number, issued by the first nationality
phone            no        with +country code, or national form (country from nationality)
status           no        wanted, fugitive, arrested, detained, in custody, rescued…
status_date      no        date of the status, partial like birth_date
status_country   no        for custody or detention: the country holding the person
note             no        free text kept in the person's notes
===============  ========  ==================================================

Plain functions, no request or view: the web page, the ``import_persons``
command and the tests share them.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from liaison import identifiers as idf
from liaison import names
from liaison.core.models import Country, Distribution
from liaison.partialdate import PartialDate, PartialDateError

MAX_ROWS = 20000

COLUMNS = {
    "name": ("name", "full_name", "primary_name"),
    "other_names": ("name_native", "native_name", "other_names", "aliases", "alias"),
    "script": ("script",),
    "language": ("language", "lang"),
    "sex": ("sex", "gender"),
    "birth_date": ("birth_date", "date_of_birth", "dob", "birthdate"),
    "nationality": ("nationality", "nationalities", "citizenship"),
    "passport": ("passport", "passport_number", "passport_no"),
    "phone": ("phone", "phone_number", "telephone", "mobile"),
    "status": ("status",),
    "status_date": ("status_date",),
    "status_country": ("status_country",),
    "note": ("note", "notes", "remark", "remarks"),
}
REQUIRED = ("name",)
_ALIASES = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}

_SEX = {
    "m": "male", "male": "male", "man": "male",
    "f": "female", "female": "female", "woman": "female",
    "other": "other", "x": "other",
    "u": "", "unknown": "", "": "",
}
_COUNTRY_ALIASES = {"burma": "MM", "laos": "LA", "vietnam": "VN", "south korea": "KR", "korea": "KR", "taiwan": "TW"}
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")


class ImportRefused(Exception):
    """The file as a whole cannot be imported (already imported, not valid)."""


@dataclass
class Row:
    line: int
    name: str
    other_names: list[str] = field(default_factory=list)
    script: str = ""
    language: str = ""
    sex: str = ""
    birth_date: str = ""
    nationalities: list[str] = field(default_factory=list)
    passport: str = ""
    phone: str = ""
    status: str = ""
    status_date: str = ""
    status_country: str = ""
    note: str = ""
    raw: list[str] = field(default_factory=list)

    @property
    def nationality(self):
        return self.nationalities[0] if self.nationalities else ""


@dataclass
class ImportReport:
    filename: str
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    source_text: str = ""
    imported: int = 0
    source: object = None

    @property
    def ok(self):
        return not self.errors

    @property
    def content_hash(self):
        # The same computation as Source.save(), so a re-import is recognised
        # whatever the file's encoding details (BOM, XLSX or CSV of the same rows).
        return hashlib.sha256(self.source_text.encode("utf-8")).hexdigest() if self.source_text else ""

    def lines(self):
        """The report as plain text lines, for the command line."""
        out = list(self.errors)
        out += [_("warning: %(w)s") % {"w": w} for w in self.warnings]
        if self.ok:
            out.append(_("%(n)s rows ready to import from %(file)s.") % {"n": len(self.rows), "file": self.filename})
        else:
            out.append(
                _("%(n)s problem(s) in %(file)s; nothing was imported.") % {"n": len(self.errors), "file": self.filename}
            )
        return out


# Reading ------------------------------------------------------------------

def _is_xlsx(data: bytes, filename: str) -> bool:
    return data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm"))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, filename: str) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ImportRefused(
            _("%(file)s is not a readable Excel workbook (.xlsx): %(reason)s") % {"file": filename, "reason": exc}
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _decode(data: bytes, filename: str) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ImportRefused(
            _("%(file)s is saved as UTF-16 text. Save it as “CSV UTF-8” in your spreadsheet program and upload it again.")
            % {"file": filename}
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRefused(
            _(
                "%(file)s is not UTF-8 text (byte 0x%(byte)02X on line %(line)s cannot be read). "
                "It was probably saved in a local encoding (GB18030, TIS-620, Windows-1252…): "
                "save it as “CSV UTF-8” in your spreadsheet program and upload it again."
            )
            % {"file": filename, "byte": data[exc.start], "line": line}
        ) from exc


def _read_csv(data: bytes, filename: str) -> list[list[str]]:
    text = _decode(data, filename)
    first_line = text.split("\n", 1)[0]
    try:
        # Spreadsheets in many locales write ";" or tabs instead of commas.
        dialect = csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text, newline=""), dialect))
    except csv.Error as exc:
        raise ImportRefused(_("%(file)s is not a valid CSV file: %(reason)s") % {"file": filename, "reason": exc}) from exc


def read_rows(data: bytes, filename: str) -> list[list[str]]:
    rows = _read_xlsx(data, filename) if _is_xlsx(data, filename) else _read_csv(data, filename)
    # Trailing empty cells (XLSX pads rows to the sheet's width).
    return [[names.nfc(c) if c else "" for c in row] for row in rows]


# Checking -----------------------------------------------------------------

def _header_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", (text or "").strip().casefold())


def _country_lookup():
    codes = set(Country.objects.values_list("code", flat=True))

    def lookup(text):
        value = text.strip()
        if not value:
            return None
        if value.upper() in codes:
            return value.upper()
        code = countries.alpha2(value) if len(value) == 3 else ""
        code = code or _COUNTRY_ALIASES.get(value.casefold()) or countries.by_name(value, insensitive=True)
        if not code:
            code = countries.by_name(value, insensitive=True, language="en")
        return code if code in codes else None

    return lookup


def _date_problem(column, value):
    try:
        parsed = PartialDate.parse(value)
    except PartialDateError as exc:
        reason = str(exc)
        if reason.startswith("“"):
            reason = _("use YYYY, YYYY-MM, YYYY-MM-DD, or --MM-DD when the year is unknown")
        else:
            reason = reason[:1].lower() + reason[1:].rstrip(".")
        return None, _("%(column)s “%(value)s” is not a date: %(reason)s") % {
            "column": column, "value": value, "reason": reason,
        }
    if parsed.year and parsed.isoformat() > timezone.localdate().isoformat()[: len(parsed.isoformat())]:
        return None, _("%(column)s “%(value)s” is in the future") % {"column": column, "value": value}
    return parsed.isoformat(), None


def _status_lookup():
    from liaison.registry.models import PersonStatus

    table = {}
    for value, label in PersonStatus.Status.choices:
        table[value] = value
        table[_header_key(value)] = value
        table[_header_key(str(label))] = value
    table["in_custody_of"] = "in_custody"
    table["custody"] = "in_custody"
    return table


def _check_row(line, cells, columns, lookup_country, statuses):
    """A ``Row`` and the list of its problems."""
    get = {key: (cells[i].strip() if i < len(cells) else "") for key, i in columns.items()}
    problems = []
    row = Row(line=line, name=get.get("name", ""), raw=cells)

    if not row.name:
        problems.append(_("the name is empty"))
    elif len(row.name) > 300:
        problems.append(_("the name is longer than 300 characters"))
    row.other_names = [n for n in (names.nfc(p) for p in re.split(r"[;|]", get.get("other_names", ""))) if n]

    script = get.get("script", "")
    if script:
        canonical = script[:1].upper() + script[1:].lower()
        if canonical not in names.SCRIPT_NAMES:
            problems.append(
                _("script “%(value)s” is not an ISO 15924 code such as Latn, Hani, Thai, Khmr, Mymr, Laoo or Arab")
                % {"value": script}
            )
        row.script = canonical

    row.language = get.get("language", "")
    if row.language and not _LANGUAGE.match(row.language):
        problems.append(_("language “%(value)s” is not a language code such as zh, my or vi") % {"value": row.language})

    sex = get.get("sex", "")
    if sex.casefold() in _SEX:
        row.sex = _SEX[sex.casefold()]
    else:
        problems.append(_("sex “%(value)s” is not one of male, female, other") % {"value": sex})

    for column in ("birth_date", "status_date"):
        value = get.get(column, "")
        if value:
            parsed, problem = _date_problem(column, value)
            if problem:
                problems.append(problem)
            else:
                setattr(row, column, parsed)

    for part in filter(None, (p.strip() for p in get.get("nationality", "").split(";"))):
        code = lookup_country(part)
        if code is None:
            problems.append(_("nationality “%(value)s” is not a country code or country name") % {"value": part})
        elif code not in row.nationalities:
            row.nationalities.append(code)

    passport = re.sub(r"[\s\-]", "", get.get("passport", "")).upper()
    if passport and not _PASSPORT.match(passport):
        problems.append(_("passport “%(value)s” is not a passport number (5 to 20 letters and digits)") % {"value": get["passport"]})
    row.passport = passport

    phone = get.get("phone", "")
    if phone:
        try:
            row.phone = idf.normalize(idf.PHONE, phone, row.nationality or None)
        except idf.IdentifierError as exc:
            problems.append(_("phone: %(reason)s") % {"reason": exc})

    status = get.get("status", "")
    if status:
        row.status = statuses.get(_header_key(status), "")
        if not row.status:
            problems.append(
                _("status “%(value)s” is not one of: %(choices)s")
                % {"value": status, "choices": ", ".join(sorted(set(statuses.values())))}
            )
    elif row.status_date:
        problems.append(_("status_date is given but status is empty"))

    status_country = get.get("status_country", "")
    if status_country:
        row.status_country = lookup_country(status_country) or ""
        if not row.status_country:
            problems.append(_("status_country “%(value)s” is not a country code or country name") % {"value": status_country})

    row.note = get.get("note", "")
    return row, problems


def validate(data: bytes, filename: str) -> ImportReport:
    """Read and check a whole file; never writes anything."""
    report = ImportReport(filename=filename)
    if not data or not data.strip(b" \t\r\n\xef\xbb\xbf"):
        report.errors.append(_("The file %(file)s is empty.") % {"file": filename})
        return report
    try:
        table = read_rows(data, filename)
    except ImportRefused as exc:
        report.errors.append(str(exc))
        return report
    while table and not any(table[-1]):
        table.pop()
    if not table or not any(table[0]):
        report.errors.append(_("The file %(file)s is empty.") % {"file": filename})
        return report

    header = table[0]
    while header and not header[-1]:
        header = header[:-1]
    report.header = header
    columns = {}
    for index, title in enumerate(header):
        key = _ALIASES.get(_header_key(title))
        if key is None:
            report.unknown_columns.append(title or _("(column %(n)s has no title)") % {"n": index + 1})
        elif key in columns:
            report.errors.append(_("line 1: column “%(title)s” appears twice") % {"title": title})
        else:
            columns[key] = index
    report.missing_columns = [c for c in REQUIRED if c not in columns]
    if report.unknown_columns:
        report.errors.append(
            _("line 1: unknown column(s) %(cols)s. Known columns: %(known)s")
            % {"cols": ", ".join(f"“{c}”" for c in report.unknown_columns), "known": ", ".join(COLUMNS)}
        )
    if report.missing_columns:
        report.errors.append(
            _("line 1: required column(s) missing: %(cols)s") % {"cols": ", ".join(report.missing_columns)}
        )
        return report

    body = table[1:]
    if len(body) > MAX_ROWS:
        report.errors.append(_("The file has %(n)s rows; the limit is %(max)s per file.") % {"n": len(body), "max": MAX_ROWS})
        return report

    lookup_country, statuses = _country_lookup(), _status_lookup()
    seen = {}
    for line, cells in enumerate(body, start=2):
        if not any(c.strip() for c in cells):
            continue
        extra = [c for c in cells[len(header):] if c.strip()]
        row, problems = _check_row(line, cells, columns, lookup_country, statuses)
        if extra:
            problems.append(_("%(n)s value(s) beyond the last titled column") % {"n": len(extra)})
        for problem in problems:
            report.errors.append(_("line %(line)s: %(problem)s") % {"line": line, "problem": problem})
        if problems:
            continue
        key = (names.search_key(row.name), row.birth_date, row.passport)
        if key in seen:
            if row.birth_date or row.passport:
                report.errors.append(
                    _("line %(line)s: same name, birth date and passport as line %(first)s (duplicate row)")
                    % {"line": line, "first": seen[key]}
                )
                continue
            report.warnings.append(
                _("line %(line)s: same name as line %(first)s and neither has a birth date or passport; imported as two persons")
                % {"line": line, "first": seen[key]}
            )
        else:
            seen[key] = line
        report.rows.append(row)

    if not report.rows and report.ok:
        report.errors.append(_("The file %(file)s has a header but no rows.") % {"file": filename})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for cells in body:
        writer.writerow(cells[: len(header)])
    report.source_text = out.getvalue()
    return report


# Writing ------------------------------------------------------------------

def previous_import(report, agency):
    from liaison.registry.models import Source

    return (
        Source.objects.filter(owner=agency, kind=Source.Kind.HANDOVER_LIST, content_hash=report.content_hash)
        .order_by("created_at")
        .first()
    )


def _row_evidence(report, row):
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(row.raw[: len(report.header)])
    return out.getvalue()


@transaction.atomic
def import_persons(report, agency, user=None, distribution=Distribution.OWNER, tlp="AMBER", share_with=(), match=True):
    """Create one person per row of a valid report, all or none.

    ``match``: look for candidate matches of the new persons once the import commits;
    the import job (liaison/tasks) passes False and matches them itself, with progress.

    Raises ``ImportRefused`` when the report has errors or the same agency
    already imported the same rows; nothing is written then.
    """
    from django.contrib.contenttypes.models import ContentType
    from simple_history.utils import bulk_create_with_history

    from liaison.registry.models import (
        Citation, Identifier, IdentityDocument, Nationality, Person, PersonName, PersonStatus, Relationship, Source,
    )
    from liaison.sharing.models import Share

    if not report.ok:
        raise ImportRefused(_("The file has %(n)s problem(s); nothing was imported.") % {"n": len(report.errors)})
    if distribution == Distribution.SHARED and not share_with:
        raise ImportRefused(_("Choose at least one agency to share with, or another distribution."))
    earlier = previous_import(report, agency)
    if earlier is not None:
        raise ImportRefused(
            _("These rows were already imported by %(agency)s on %(date)s (source “%(title)s”); nothing was imported again.")
            % {"agency": agency.short_name, "date": earlier.created_at.date().isoformat(), "title": earlier.title}
        )

    marking = {"owner": agency, "distribution": distribution, "tlp": tlp, "created_by": user}
    reason = _("Imported from %(file)s") % {"file": report.filename}
    source = Source(
        title=report.filename, kind=Source.Kind.HANDOVER_LIST, reference=report.filename,
        text=report.source_text, **marking,
    )
    source.save()

    persons = []
    for row in report.rows:
        persons.append(Person(sex=row.sex, birth_date=row.birth_date, display_name=row.name, notes=row.note, **marking))
    persons = bulk_create_with_history(persons, Person, default_user=user, default_change_reason=reason)

    name_objs, nat_objs, doc_objs, status_objs, citations = [], [], [], [], []
    person_ct = ContentType.objects.get_for_model(Person)
    phones = {}
    for person, row in zip(persons, report.rows):
        for i, text in enumerate([row.name, *row.other_names]):
            script = (row.script if i == 0 else "") or names.detect_script(text)
            name_objs.append(PersonName(
                person=person, full_name=text, kind=PersonName.Kind.PRIMARY if i == 0 else PersonName.Kind.ALIAS,
                script=script, language=row.language if i == 0 else "", search_key=names.search_key(text),
            ))
        nat_objs += [Nationality(person=person, country_id=code) for code in row.nationalities]
        if row.passport:
            doc_objs.append(IdentityDocument(person=person, number=row.passport, country_id=row.nationality or None))
        if row.status:
            status_objs.append(PersonStatus(
                person=person, status=row.status, date=row.status_date, country_id=row.status_country or None,
            ))
        if row.phone:
            phones.setdefault(row.phone, []).append(person)
        citations.append(Citation(
            source=source, content_type=person_ct, object_id=person.pk,
            evidence=_row_evidence(report, row),
            location=_("line %(line)s of %(file)s") % {"line": row.line, "file": report.filename},
        ))
    for model, objs in ((PersonName, name_objs), (Nationality, nat_objs), (IdentityDocument, doc_objs),
                        (PersonStatus, status_objs), (Citation, citations)):
        if objs:
            bulk_create_with_history(objs, model, default_user=user, default_change_reason=reason)

    if phones:
        existing = {i.normalized: i for i in Identifier.objects.filter(owner=agency, kind=idf.PHONE, normalized__in=phones)}
        new = [
            Identifier(kind=idf.PHONE, value=number, normalized=number, country_id=idf.phone_region(number), **marking)
            for number in phones if number not in existing
        ]
        for identifier in bulk_create_with_history(new, Identifier, default_user=user, default_change_reason=reason):
            existing[identifier.normalized] = identifier
        identifier_ct = ContentType.objects.get_for_model(Identifier)
        links = [
            Relationship(kind=Relationship.Kind.USES_PHONE, subject_type=person_ct, subject_id=person.pk,
                         object_type=identifier_ct, object_id=existing[number].pk, **marking)
            for number, people in phones.items() for person in people
        ]
        bulk_create_with_history(links, Relationship, default_user=user, default_change_reason=reason)
        shared_records = [(identifier_ct, existing[n].pk) for n in phones] + [
            (ContentType.objects.get_for_model(Relationship), r.pk) for r in links
        ]
    else:
        shared_records = []

    if distribution == Distribution.SHARED:
        source_ct = ContentType.objects.get_for_model(Source)
        records = [(source_ct, source.pk)] + [(person_ct, p.pk) for p in persons] + shared_records
        Share.objects.bulk_create([
            Share(content_type=ct, object_id=pk, agency=target, created_by=user)
            for ct, pk in records for target in share_with
        ])

    # Candidate matches and watchlist hits of the new persons, once the import commits.
    if match:
        from liaison.matching.services import match_on_commit

        match_on_commit([p.pk for p in persons])
    report.imported = len(persons)
    report.source = source
    return report
