"""Writes and look-ups of the public side: the public list, public reports, their
triage and the matching of missing-relative reports. Views stay thin.

The only registry facts that reach a public page go through ``listings``, which
reads ``PublishedIdentifier`` alone: whatever the registry holds, an identifier
nobody published answers exactly like one nobody ever recorded.
"""
from __future__ import annotations

from collections import Counter, defaultdict, namedtuple
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import identifiers as idf
from liaison.audit import log as audit
from liaison.audit.models import AuditEntry
from liaison.names import nfc

from . import counters
from .models import (
    Attachment,
    Category,
    PublicHit,
    PublicReport,
    PublishedIdentifier,
    ReportedIdentifier,
    ReportLink,
)


class NotAllowed(PermissionError):
    pass


# The public list ------------------------------------------------------------

def may_publish(user, identifier):
    """Only an editor of the owner agency, and only a live record."""
    return bool(getattr(user, "can_edit", False) and identifier.owner_id == user.agency_id
                and identifier.retracted_at is None)


def live_listing(identifier):
    return PublishedIdentifier.objects.live().filter(identifier=identifier).first()


@transaction.atomic
def publish(user, identifier, category, message=""):
    if not may_publish(user, identifier):
        raise NotAllowed(_("Only your agency's own identifiers can be published."))
    existing = live_listing(identifier)
    if existing is not None:
        return existing
    listing = PublishedIdentifier.objects.create(
        identifier=identifier, owner_id=identifier.owner_id, kind=identifier.kind, normalized=identifier.normalized,
        category=category, message=message.strip(), published_by=user)
    audit.record(AuditEntry.Action.PUBLIC_LIST, user, identifier, listing=listing.pk, published=True, category=category)
    return listing


@transaction.atomic
def retract(user, listing):
    if listing.retracted_at is not None:
        return listing
    if not (getattr(user, "can_edit", False) and listing.owner_id == user.agency_id):
        raise NotAllowed(_("Only the agency that published an identifier can take it off the list."))
    listing.retracted_at, listing.retracted_by = timezone.now(), user
    listing.save(update_fields=["retracted_at", "retracted_by"])
    audit.record(AuditEntry.Action.PUBLIC_LIST, user, listing.identifier, listing=listing.pk, published=False)
    return listing


# Same number, two apps: a phone published as such answers a WhatsApp check of that number.
_FAMILY = {idf.WHATSAPP: idf.PHONE}


def _family(kind):
    return _FAMILY.get(kind, kind)


def listings(found):
    """{(kind, normalized): {"agencies": [...], "confirmed_reports": n}} for the identifiers in ``found``
    (pairs of kind and canonical value). Only published, live listings, read with one
    indexed query whether anything is listed or not, so that listed and unlisted answer
    alike (tests/public/test_timing.py)."""
    wanted = {(_family(k), v) for k, v in found}
    values = sorted({v for _k, v in wanted})
    by_key = defaultdict(list)
    for row in _listing_rows(values):
        by_key[(_family(row.kind), row.normalized)].append(row)
    answer = {}
    for kind, value in found:
        rows = by_key.get((_family(kind), value), [])
        agencies, seen = [], set()
        for row in rows:
            if row.owner_id in seen:
                continue
            seen.add(row.owner_id)
            agencies.append({"agency": row.agency, "short_name": row.short_name, "since": row.published_at.date(),
                             "category": row.category, "message": row.message,
                             "category_label": str(_CATEGORY_LABELS.get(row.category, row.category))})
        # Confirmed public reports are counted only next to a listing: a count alone
        # would tell that officers hold and confirmed something they did not publish.
        answer[(kind, value)] = {"agencies": agencies,
                                 "confirmed_reports": max((r.confirmed_reports for r in rows), default=0)}
    return answer


_ListingRow = namedtuple("_ListingRow", "kind normalized owner_id agency short_name published_at category message "
                                        "confirmed_reports")
_PHONE_FAMILY = sorted(set(_FAMILY) | set(_FAMILY.values()))
_CATEGORY_LABELS = dict(Category.choices)  # lazy labels: translated where str() is taken


@lru_cache(maxsize=16)
def _listing_sql(n_values):
    """The statement for ``n_values`` values. Written by hand, built once per count of
    values: the ORM took ~2 ms to build and compile it on every check, the database
    ~0.1 ms to run it. Plain SQL that PostgreSQL and SQLite both read."""
    from liaison.sharing.models import Agency

    q = connection.ops.quote_name
    pub, agency = q(PublishedIdentifier._meta.db_table), q(Agency._meta.db_table)
    link, reported, report = (q(ReportLink._meta.db_table), q(ReportedIdentifier._meta.db_table),
                              q(PublicReport._meta.db_table))
    family = ", ".join(["%s"] * len(_PHONE_FAMILY))
    return (f"SELECT p.kind, p.normalized, p.owner_id, a.name, a.short_name, p.published_at, p.category, p.message, "
            f"(SELECT COUNT(DISTINCT l.report_id) FROM {link} l JOIN {reported} r ON r.id = l.identifier_id "
            f"JOIN {report} pr ON pr.id = l.report_id WHERE r.normalized = p.normalized AND pr.status = %s "
            f"AND (r.kind = p.kind OR (r.kind IN ({family}) AND p.kind IN ({family})))) "
            f"FROM {pub} p JOIN {agency} a ON a.id = p.owner_id "
            f"WHERE p.retracted_at IS NULL AND p.normalized IN ({', '.join(['%s'] * n_values)}) "
            f"ORDER BY p.published_at, p.id")


def _listing_rows(values):
    """The live listings of ``values`` in publication order, each with the number of
    confirmed public reports naming its value as its kind or a kind of its family:
    one query on the ``(normalized, kind)`` index; the count runs for listed rows only."""
    if not values:
        return []
    params = [PublicReport.Status.CONFIRMED.value, *_PHONE_FAMILY, *_PHONE_FAMILY, *values]
    with _prepared_cursor() as cursor:
        cursor.execute(_listing_sql(len(values)), params)
        return [_ListingRow(*row) for row in cursor.fetchall()]


def _prepared_cursor():
    """A cursor that runs its statement as a prepared statement on PostgreSQL, Django's
    cursor elsewhere. Planning the listing query cost PostgreSQL ~0.6 ms of CPU per check
    and running it 0.1 ms; prepared once per connection, it is planned once. Django keeps
    psycopg's prepared statements off (``prepare_threshold`` None, its default for
    PgBouncer), so this cursor turns them on for its own statement only; behind PgBouncer
    in transaction mode that needs PgBouncer 1.21+ with ``max_prepared_statements``. The
    cursor is wrapped by Django (``_prepare_cursor``: error translation, query logging
    for tests and DEBUG) like any other."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    return connection._prepare_cursor(_prepared_cursor_class()(connection.connection))


@lru_cache(maxsize=1)
def _prepared_cursor_class():
    import psycopg

    class PreparedCursor(psycopg.Cursor):
        def execute(self, query, params=None, **kwargs):
            conn = self.connection
            threshold = conn.prepare_threshold
            if threshold is None:
                conn.prepare_threshold = 1 << 30  # on for this statement, never reached by Django's own
            try:
                return super().execute(query, params, **{**kwargs, "prepare": True})
            finally:
                conn.prepare_threshold = threshold
                if self._query is None:  # psycopg keeps no text of a prepared execution
                    self._query = _Logged(query, params)

    return PreparedCursor


class _Logged:
    """What Django's query log reads of a psycopg cursor (``cursor._query.query``),
    composed only when read: in tests and with DEBUG."""

    def __init__(self, sql, params):
        self.sql, self.params = sql, params

    @property
    def query(self):
        return connection.ops.compose_sql(self.sql, self.params).encode()


# Statistics -------------------------------------------------------------------

# Counted in memory and written at most once a second per process (``counters``).

def count(metric, language=""):
    counters.add(metric, language)


def count_checked(found):
    counters.add(checked=found)


def count_check(metric, language, found):
    """``count`` and ``count_checked`` of one check in one go."""
    counters.add(metric, language, checked=found)


# Public reports -----------------------------------------------------------------

def agency_for_country(country):
    from liaison.sharing.models import Agency

    short = settings.PUBLIC_REPORT_AGENCIES.get((country or "").upper()) or settings.PUBLIC_REPORT_DEFAULT_AGENCY
    agency = Agency.objects.filter(short_name=short).first()
    if agency is None:
        agency = Agency.objects.filter(short_name=settings.PUBLIC_REPORT_DEFAULT_AGENCY).first()
    return agency


def consular_agency(nationality):
    from liaison.sharing.models import Agency

    nationality = (nationality or "").upper()
    if not nationality:
        return None
    short = settings.PUBLIC_CONSULAR_AGENCIES.get(nationality)
    if short:
        return Agency.objects.filter(short_name=short).first()
    return Agency.objects.filter(country_id=nationality, kind=Agency.Kind.FOREIGN_MINISTRY).order_by("pk").first()


@transaction.atomic
def submit_report(*, kind, language, country, identifiers=(), files=(), **fields):
    """Store a public report; returns (report, secret code). ``identifiers`` are
    (kind, canonical value, as written); ``files`` (file, is_photo) already checked."""
    if "relative_names" in fields:
        fields["relative_names"] = "\n".join(nfc(n.strip()) for n in fields["relative_names"].splitlines() if n.strip())
    report = PublicReport(kind=kind, language=language or "", country=(country or "").upper(),
                          agency=agency_for_country(country), reference=PublicReport.new_reference(), **fields)
    code = report.set_code()
    report.save()
    links = _link_identifiers(report, identifiers)
    if links:
        from .triage import attach_on_arrival

        attach_on_arrival(report, links)
    for upload, is_photo in files:
        Attachment.objects.create(report=report, file=upload, name=upload.name[:200], size=upload.size,
                                  content_type=getattr(upload, "content_type", "") or "", is_photo=is_photo)
    count("report_" + kind, language)
    if kind == PublicReport.Kind.MISSING:
        pk = report.pk
        transaction.on_commit(lambda: match_missing(PublicReport.objects.get(pk=pk)))
    return report, code


def _link_identifiers(report, identifiers):
    """The report's links to its identifiers, (kind, canonical value, as written), each
    value once (as first written): three statements however many there are, where a
    get_or_create of each identifier and of each link took four or five (a SELECT, a
    savepoint, an INSERT, its release). ``ignore_conflicts`` keeps the one
    ``ReportedIdentifier`` per value when two reports name it at the same moment."""
    first = {}
    for kind, value, written in identifiers:
        first.setdefault((kind, value), written[:500])
    if not first:
        return []
    ReportedIdentifier.objects.bulk_create([ReportedIdentifier(kind=k, normalized=v) for k, v in first],
                                           ignore_conflicts=True)
    rows = {(r.kind, r.normalized): r for r in ReportedIdentifier.objects.filter(
        kind__in={k for k, _v in first}, normalized__in={v for _k, v in first})}
    return ReportLink.objects.bulk_create([ReportLink(report=report, identifier=rows[key], as_written=written)
                                           for key, written in first.items()])


def find_report(reference, code):
    """The report for a reference and its code, or None (the same None for a wrong code)."""
    report = PublicReport.objects.filter(reference=(reference or "").strip().upper()).first()
    if report is None:
        PublicReport(code_hash="0" * 64).code_matches(code)  # the same work either way
        return None
    return report if report.code_matches(code) else None


# Officers: the triage queue --------------------------------------------------------

def reports_for(user):
    """The public reports an officer may open: those of their agency, and the
    missing-relative reports that matched a person for which their agency is the
    consular agency (to bring the family news)."""
    if not getattr(user, "agency_id", None):
        return PublicReport.objects.none()
    return PublicReport.objects.filter(Q(agency_id=user.agency_id) | Q(hits__consular_agency_id=user.agency_id)).distinct()


def may_triage(user, report):
    return bool(getattr(user, "can_edit", False) and report.agency_id == user.agency_id)


def may_message(user, report):
    return bool(getattr(user, "can_edit", False) and reports_for(user).filter(pk=report.pk).exists())


def _decide(user, report, status, detail=None, **extra):
    if not may_triage(user, report):
        raise NotAllowed(_("Only the agency this report was sent to can decide on it."))
    report.status, report.decided_at, report.decided_by = status, timezone.now(), user
    for key, value in extra.items():
        setattr(report, key, value)
    report.save()
    audit.record(AuditEntry.Action.PUBLIC_TRIAGE, user, report, owner_agency=report.agency, status=status,
                 **{k: (v.pk if hasattr(v, "pk") else v) for k, v in extra.items()}, **(detail or {}))
    return report


# Confirming (a report's identifiers merged into registry identifiers, a missing
# relative recorded as a person) and joining one report to another: ``triage``.


@transaction.atomic
def reject(user, report, reason):
    if not reason.strip():
        raise ValueError(_("Say why the report is not taken further."))
    return _decide(user, report, PublicReport.Status.REJECTED, reason=reason.strip()[:500])


@transaction.atomic
def send_message(user, report, message):
    """The only words of the officers the reporter will ever read on the status page."""
    if not may_message(user, report):
        raise NotAllowed(_("You cannot write to this reporter."))
    report.public_message, report.public_message_at = message.strip(), timezone.now()
    report.save(update_fields=["public_message", "public_message_at"])
    audit.record(AuditEntry.Action.PUBLIC_MESSAGE, user, report, owner_agency=report.agency, length=len(message))
    return report


# Missing relatives ------------------------------------------------------------------

ELIGIBLE_STATUSES = ("rescued", "detained", "in_custody", "repatriated", "deceased")


def relative_contact(report):
    """(kind, canonical value) of the phone or handle the relative used, or None:
    a phone of their nationality's country first, then a Telegram or LINE handle."""
    for kind in (idf.PHONE, idf.TELEGRAM, idf.LINE):
        try:
            return kind, idf.normalize(kind, report.relative_contact, report.nationality or None)
        except idf.IdentifierError:
            continue
    return None


def _record_of(report):
    from liaison.linkage import PersonRecord

    contact = relative_contact(report)
    return PersonRecord(id=f"public-{report.pk}", names=report.names, dob=report.birth_date or None,
                        countries=[report.nationality] if report.nationality else [],
                        identifiers=[contact[1]] if contact else [])


def match_missing(report):
    """Score the relative against persons rescued, detained, in custody, repatriated,
    deceased or named in a request, in every agency; each hit is told to the
    holding agency and to the consular agency, as a watchlist hit is."""
    from liaison.matching import records as person_records
    from liaison.matching import services as matching
    from liaison.matching.models import MatchKey
    from liaison.registry.models import Person

    if report.kind != PublicReport.Kind.MISSING or not report.names:
        return []
    rec = _record_of(report)
    keys = person_records.keys_of(rec)
    shared = Counter(MatchKey.objects.filter(key__in=keys).values_list("person_id", flat=True))
    candidates = [pid for pid, _n in shared.most_common(500)]
    eligible = set(Person.objects.filter(pk__in=candidates, retracted_at__isnull=True).filter(
        Q(statuses__status__in=ELIGIBLE_STATUSES) | Q(requests__isnull=False)).values_list("pk", flat=True))
    pool = person_records.load(eligible)
    owners = dict(Person.objects.filter(pk__in=pool).values_list("pk", "owner_id"))
    consul = consular_agency(report.nationality)
    hits = []
    with transaction.atomic():
        for other, score in matching.matcher().candidates(rec, list(pool.values()), threshold=matching.hit_threshold()):
            pid = int(other.id)
            hit, created = PublicHit.objects.get_or_create(
                report=report, person_id=pid,
                defaults={"holding_agency_id": owners[pid], "consular_agency": consul,
                          "score": float(score.probability), "band": matching.band_of_score(score)})
            if created:
                _announce(hit)
            hits.append(hit)
    return hits


def _band_label(band):
    from liaison.matching.models import HitNotice

    return HitNotice.Band(band).label


def hit_message(hit, agency_id):
    """What a hit says to ``agency_id``: the other agency and the band, nothing else."""
    band = _band_label(hit.band)
    if agency_id == hit.holding_agency_id:
        return _("Missing-relative report: a family's report held by %(agency)s matched your record: %(band)s") % {
            "agency": hit.report.agency.short_name if hit.report.agency else "—", "band": band}
    return _("Missing-relative report: a family's report matched a record held by %(agency)s: %(band)s") % {
        "agency": hit.holding_agency.short_name, "band": band}


def _announce(hit):
    from liaison.registry.models import Person
    from liaison.requests.notifications import notify

    hit = PublicHit.objects.select_related("report__agency", "holding_agency", "consular_agency").get(pk=hit.pk)
    audit.record(AuditEntry.Action.PUBLIC_HIT, None, Person(pk=hit.person_id, owner_id=hit.holding_agency_id),
                 owner_agency=hit.holding_agency, report=hit.report.reference, band=hit.band)
    notify(agency=hit.holding_agency, title=lambda: hit_message(hit, hit.holding_agency_id),
           url=reverse("web:detail", args=["persons", hit.person_id]), kind="public_hit")
    told = {hit.holding_agency_id}
    for agency in (hit.consular_agency, hit.report.agency):
        if agency is not None and agency.pk not in told:
            told.add(agency.pk)
            notify(agency=agency, title=lambda agency=agency: hit_message(hit, agency.pk),
                   url=reverse("public:officer_report", args=[hit.report.pk]), kind="public_hit")
