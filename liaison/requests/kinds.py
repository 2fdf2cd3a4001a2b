"""The request types and their own fields, as plain data (no Django).

Each type says which facts the requested agency needs to act (a repatriation
needs a date, a border crossing and the transport; a nationality revocation
needs the evidence of fraudulent acquisition), how many persons it concerns
and how many days the requested agency has to answer. ``validate`` turns what
an officer typed (form or API) into clean values or messages naming each
problem; the web forms and the API both call it, so the rules live once.
"""

import datetime as dt
from dataclasses import dataclass, field

from liaison.requests.lifecycle import gettext_noop

TEXT, LONGTEXT, DATE, CHOICE, BOOL, COUNTRY = "text", "longtext", "date", "choice", "bool", "country"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = TEXT
    required: bool = False
    help: str = ""
    choices: tuple = ()
    max_length: int = 500
    not_in_past: bool = False


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    days: int
    fields: tuple = ()
    min_persons: int = 0
    person_role: str = "other"  # how the persons take part when the request becomes an event
    description: str = ""
    effect: str = ""  # "handover" / "repatriation": fulfilling it records an event and statuses
    extra: dict = field(default_factory=dict)


TRANSPORT = (
    ("road", gettext_noop("Road")),
    ("air", gettext_noop("Air")),
    ("sea", gettext_noop("Sea or river")),
    ("rail", gettext_noop("Rail")),
)

KINDS = {
    k.code: k
    for k in (
        Kind(
            "handover",
            gettext_noop("Handover of suspects"),
            14,
            (
                Field("handover_date", gettext_noop("Planned handover date"), DATE, True),
                Field(
                    "place",
                    gettext_noop("Place of handover"),
                    TEXT,
                    True,
                    gettext_noop("Border crossing or city, e.g. Muse."),
                ),
                Field(
                    "legal_basis",
                    gettext_noop("Legal basis"),
                    TEXT,
                    help=gettext_noop("Agreement or decision under which they are handed over."),
                ),
            ),
            min_persons=1,
            person_role="suspect",
            effect="handover",
            description=gettext_noop("Hand suspects over to the requesting country. List every person."),
        ),
        Kind(
            "extradition",
            gettext_noop("Extradition"),
            60,
            (
                Field("offence", gettext_noop("Offence"), TEXT, True),
                Field("warrant_reference", gettext_noop("Arrest warrant reference"), TEXT, True),
                Field("legal_basis", gettext_noop("Treaty or legal basis"), TEXT, True),
            ),
            min_persons=1,
            person_role="suspect",
        ),
        Kind(
            "deportation",
            gettext_noop("Deportation"),
            30,
            (
                Field("grounds", gettext_noop("Grounds for deportation"), LONGTEXT, True, max_length=4000),
                Field("proposed_date", gettext_noop("Proposed date"), DATE),
                Field("place", gettext_noop("Border crossing or airport"), TEXT),
            ),
            min_persons=1,
            person_role="other",
        ),
        Kind(
            "record_check",
            gettext_noop("Criminal-record check"),
            14,
            (
                Field(
                    "purpose",
                    gettext_noop("Purpose of the check"),
                    TEXT,
                    True,
                    gettext_noop("e.g. review of a citizenship application suspected of fraud."),
                ),
                Field("period", gettext_noop("Period to check"), TEXT, help=gettext_noop("e.g. 2015 to today.")),
            ),
            min_persons=1,
            person_role="suspect",
        ),
        Kind(
            "identity_verification",
            gettext_noop("Identity and nationality verification"),
            7,
            (
                Field("purpose", gettext_noop("Why the identity must be verified"), TEXT, True),
                Field(
                    "documents_held",
                    gettext_noop("Documents held"),
                    LONGTEXT,
                    help=gettext_noop("Passports or cards found, with numbers."),
                    max_length=4000,
                ),
            ),
            min_persons=1,
            person_role="other",
        ),
        Kind(
            "consular_access",
            gettext_noop("Consular notification and access"),
            3,
            (
                Field("detention_place", gettext_noop("Place of detention"), TEXT, True),
                Field("detained_on", gettext_noop("Detained on"), DATE, True),
                Field("grounds", gettext_noop("Grounds of detention, if known"), TEXT),
                Field("visit_requested", gettext_noop("A consular visit is requested"), BOOL),
            ),
            min_persons=1,
            person_role="other",
            description=gettext_noop(
                "A national of the requesting country is detained: notify and allow consular access."
            ),
        ),
        Kind(
            "repatriation",
            gettext_noop("Victim repatriation"),
            14,
            (
                Field("planned_date", gettext_noop("Planned date of repatriation"), DATE, True, not_in_past=True),
                Field(
                    "border_crossing",
                    gettext_noop("Border crossing"),
                    TEXT,
                    True,
                    gettext_noop("e.g. Bavet – Moc Bai."),
                ),
                Field("transport", gettext_noop("Transport"), CHOICE, True, choices=TRANSPORT),
                Field(
                    "escort",
                    gettext_noop("Escort and reception"),
                    TEXT,
                    help=gettext_noop("Who accompanies and who receives them."),
                ),
            ),
            min_persons=1,
            person_role="victim",
            effect="repatriation",
            description=gettext_noop("Bring victims home: persons, date, border crossing and transport."),
        ),
        Kind(
            "nationality_revocation",
            gettext_noop("Nationality revocation"),
            60,
            (
                Field(
                    "nationality",
                    gettext_noop("Nationality to revoke"),
                    COUNTRY,
                    True,
                    gettext_noop("Two-letter country code, e.g. KH."),
                ),
                Field(
                    "evidence",
                    gettext_noop("Evidence of fraudulent acquisition"),
                    LONGTEXT,
                    True,
                    gettext_noop("What shows the nationality was obtained by fraud; attach the documents."),
                    max_length=8000,
                ),
                Field(
                    "documents",
                    gettext_noop("Documents concerned"),
                    TEXT,
                    help=gettext_noop("Passport or certificate numbers."),
                ),
            ),
            min_persons=1,
            person_role="suspect",
        ),
        Kind(
            "legal_assistance",
            gettext_noop("Evidence and mutual legal assistance"),
            60,
            (
                Field("case_reference", gettext_noop("Case reference"), TEXT, True),
                Field(
                    "evidence_sought", gettext_noop("Evidence or assistance sought"), LONGTEXT, True, max_length=8000
                ),
                Field("legal_basis", gettext_noop("Treaty or legal basis"), TEXT, True),
            ),
            min_persons=0,
            person_role="suspect",
        ),
        Kind(
            "rescue",
            gettext_noop("Rescue of a missing or captive national"),
            3,
            (
                Field(
                    "last_known_place",
                    gettext_noop("Last known place"),
                    TEXT,
                    True,
                    gettext_noop("Compound, building, town."),
                ),
                Field("last_contact_on", gettext_noop("Last contact on"), DATE),
                Field(
                    "contacts",
                    gettext_noop("Contacts"),
                    LONGTEXT,
                    help=gettext_noop("Phone numbers, messaging accounts, family contact."),
                    max_length=4000,
                ),
                Field(
                    "situation",
                    gettext_noop("Situation"),
                    LONGTEXT,
                    True,
                    gettext_noop("What the family or the person reported."),
                    max_length=8000,
                ),
            ),
            min_persons=1,
            person_role="victim",
            description=gettext_noop("A national is held in a compound or missing. Attach photos in the thread."),
        ),
        Kind(
            "hit_details",
            gettext_noop("Details after a watchlist hit"),
            7,
            (
                Field(
                    "hit_reference",
                    gettext_noop("Watchlist hit"),
                    TEXT,
                    help=gettext_noop("Reference of the hit notice."),
                ),
                Field("questions", gettext_noop("What you need to know"), LONGTEXT, True, max_length=8000),
            ),
            min_persons=0,
            person_role="suspect",
        ),
        Kind(
            "record_update",
            gettext_noop("Addition to one of your records"),
            14,
            (
                Field(
                    "record",
                    gettext_noop("Record concerned"),
                    TEXT,
                    True,
                    gettext_noop("Which of their records: title, date, place."),
                ),
                Field(
                    "addition",
                    gettext_noop("What to add or correct"),
                    LONGTEXT,
                    True,
                    gettext_noop("e.g. a report that states the same event, with the sentence that says so."),
                    max_length=8000,
                ),
            ),
            min_persons=0,
            person_role="other",
            description=gettext_noop(
                "Only the agency that owns a record can change it: ask them to add a source or correct it."
            ),
        ),
    )
}
CHOICES = tuple((k.code, k.label) for k in KINDS.values())


class FieldErrors(ValueError):
    """Messages per field name ("persons" and "__all__" included), as templates
    with parameters so the caller can translate them."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"{name}: {t % p}" for name, (t, p) in errors.items()))

    def rendered(self, translate=lambda s: s):
        return {
            name: translate(t) % {k: translate(v) if k == "field" else v for k, v in p.items()}
            for name, (t, p) in self.errors.items()
        }


def get(code):
    kind = KINDS.get(code)
    if kind is None:
        raise FieldErrors(
            {"kind": (gettext_noop("Choose a type of request from the list (“%(code)s” is not one)."), {"code": code})}
        )
    return kind


def _clean_one(f, raw, today):
    """(value, error) for one field; error is (template, params) or None."""
    if f.type == BOOL:
        if isinstance(raw, str):
            return raw.strip().lower() in ("1", "true", "yes", "on"), None
        return bool(raw), None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if f.required:
            return None, (gettext_noop("%(field)s is needed for this type of request."), {"field": f.label})
        return ("" if f.type != DATE else None), None
    if f.type == DATE:
        if isinstance(raw, dt.date):
            value = raw
        else:
            try:
                value = dt.date.fromisoformat(str(raw).strip())
            except ValueError:
                return None, (
                    gettext_noop("%(field)s must be a date written year-month-day, e.g. 2024-11-18."),
                    {"field": f.label},
                )
        if f.not_in_past and value < today:
            return None, (gettext_noop("%(field)s cannot be in the past."), {"field": f.label})
        return value.isoformat(), None
    text = str(raw).strip()
    if f.type == CHOICE:
        codes = [c for c, _label in f.choices]
        if text not in codes:
            return None, (gettext_noop("%(field)s: choose one of the options."), {"field": f.label})
        return text, None
    if f.type == COUNTRY:
        code = text.upper()
        if len(code) != 2 or not code.isalpha():
            return None, (gettext_noop("%(field)s must be a two-letter country code, e.g. KH."), {"field": f.label})
        return code, None
    if len(text) > f.max_length:
        return None, (
            gettext_noop("%(field)s is too long: at most %(n)s characters."),
            {"field": f.label, "n": f.max_length},
        )
    return text, None


def _optional(f):
    from dataclasses import replace

    return replace(f, required=False)


def validate(code, data, *, persons=0, today=None, partial=False):
    """Clean ``data`` (a mapping of field name to what was typed) for request type
    ``code``; returns the clean values (JSON-ready) or raises FieldErrors.

    ``partial``: a draft may be saved unfinished, so required fields and the
    number of persons are checked only when it is sent; what *is* given is
    always checked. Unknown field names are refused rather than silently
    dropped, so an API client that misspells a field learns it at once.
    """
    kind = get(code)
    today = today or dt.date.today()
    data = dict(data or {})
    errors, clean = {}, {}
    known = {f.name for f in kind.fields}
    for name in sorted(set(data) - known):
        errors[name] = (gettext_noop("“%(name)s” is not a field of this type of request."), {"name": name})
    for f in kind.fields:
        value, error = _clean_one(f if not partial else _optional(f), data.get(f.name), today)
        if error:
            errors[f.name] = error
        else:
            clean[f.name] = value
    if persons < kind.min_persons and not partial:
        errors["persons"] = (gettext_noop("Add at least %(n)s person this request concerns."), {"n": kind.min_persons})
    if errors:
        raise FieldErrors(errors)
    return clean


def display(code, values):
    """(label, value) pairs in the type's order, for the detail page and e-mails."""
    kind = KINDS.get(code)
    if kind is None:
        return []
    rows = []
    for f in kind.fields:
        value = (values or {}).get(f.name)
        if f.type == CHOICE:
            value = dict(f.choices).get(value, value)
        rows.append((f, value))
    return rows
