"""Screening travellers against every agency's watchlist.

What is screened against: the persons on a watchlist, listed by the agency
holding the record, never a protected identity, never a retracted record
(``matching.services.watched_persons``'s rule, applied inside the one SQL
statement that finds the candidates, so that unlisted and protected records
are never loaded, scored or timed). Candidates are found through the blocking
screening keys stored for every watched person (``ScreeningKey``: the
matcher's name keys in any script and document numbers, and consonant
skeletons of every reading of the name with the year of birth, so that a
name written in Thai finds the record written in Han or pinyin) and scored by the linkage ``Matcher``, with the
screening prior when the matcher has one (``SCREENING_PRIOR`` otherwise).

What the screener learns of a hit: the agency to contact, a band (strong or
possible, never the score) and the fields that agreed, and the hit's own
reference to quote (``ScreeningHit.reference``), nothing of the record unless
the screener may read it anyway (``judgeable_persons``). The agency holding
the record gets a hit notice saying who screened, where and when.

Probing: each hit tells the screener's agency something of a record it may
not see. Past ``SCREENING_PROBE_LIMIT`` hits a day between the screener's
agency and one other agency, further hits are answered "no hit" to the
screener but still notified to the watching agency (a fugitive at a border
must still be reported), and that agency's administrators are warned once.

Timing and queries: every screening writes one ``Screening`` row and one
audit entry, and reads candidates with the same statements in a fixed number
per batch of travellers, whatever the registry holds outside the watchlist.
What still differs is the work on watched candidates that share a key but
score below the threshold (a few milliseconds of scoring); it tells the
screener at most that a watched record bears a similar name, and no more than
the daily limit allows (documented in docs/architecture.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.audit import log as audit
from liaison.audit.models import AuditEntry
from liaison.matching.keys import document_key, screening_lookup_keys
from liaison.screening.keys import load as watched_records
from liaison.screening.keys import stored_features
from liaison.screening.manifest import Traveller
from liaison.screening.models import Screening, ScreeningHit, ScreeningKey, ScreeningProbeCount

# Travellers looked up together: one key query and one record load per batch.
BATCH = 500
# Watched persons scored per traveller at most: those sharing the most keys.
MAX_CANDIDATES = 20


class ScreeningError(ValueError):
    """The screening cannot be done; the message says why in an officer's words."""


class NotAllowed(ScreeningError):
    pass


def hit_threshold():
    return float(getattr(settings, "SCREENING_HIT_THRESHOLD", 0.9))


def strong_threshold():
    return float(getattr(settings, "SCREENING_STRONG_HIT", 0.99))


def probe_limit():
    return int(getattr(settings, "SCREENING_PROBE_LIMIT", 50))


@lru_cache(maxsize=1)
def matcher():
    from liaison.linkage import Matcher

    return Matcher.default()


def screening_prior(m=None):
    """The prior of "this traveller is this watched person" for a name screened against a list.

    The matcher's own screening prior when it has one (issue 13 asks for one
    apart from the prior of linking two registry records), else the setting,
    else the matcher's pair prior."""
    m = m or matcher()
    prior = getattr(m, "screening_prior", None)
    if prior is None and getattr(m, "priors", None):
        prior = m.priors.get("screening") if isinstance(m.priors, dict) else None
    if prior is None:
        prior = (m.meta or {}).get("screening_prior")
    if prior is None:
        prior = getattr(settings, "SCREENING_PRIOR", None)
    return float(prior) if prior is not None else None


def band_of(probability):
    return ScreeningHit.Band.STRONG if probability >= strong_threshold() else ScreeningHit.Band.POSSIBLE


@dataclass
class Found:
    """A watched person a traveller matched (before the daily limit is applied)."""

    person_id: int
    agency_id: int
    probability: float
    fields: dict


@dataclass
class Answer:
    traveller: Traveller
    hits: list = field(default_factory=list)  # ScreeningHit rows shown to the screener


def record_of(traveller, index):
    from liaison.linkage import PersonRecord

    document = document_key(traveller.document)
    return PersonRecord(id=f"t{index}", names=list(traveller.names), dob=traveller.birth_date or None,
                        countries=[traveller.nationality] if traveller.nationality else [],
                        documents=[document] if document else [], sex=traveller.sex or None)


def _watched_keys(keys):
    """(person id, key, owner agency id) of the watched persons holding any of ``keys``.

    One statement: the watchlist rule is part of the join, so a record that is
    not listed by its owner, is protected or retracted is never read (even
    if its screening keys were not yet removed). On PostgreSQL the keys go as
    one array parameter (a manifest of 500 travellers looks up some 15,000)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return ScreeningKey.objects.filter(
            key__in=keys,
            person__watchlist_entries__removed_at__isnull=True,
            person__watchlist_entries__agency_id=models.F("person__owner_id"),
            person__protection="",
            person__retracted_at__isnull=True,
        ).values_list("person_id", "key", "person__owner_id")
    from liaison.matching.models import WatchlistEntry
    from liaison.registry.models import Person

    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT k.person_id, k.key, p.owner_id FROM {q(ScreeningKey._meta.db_table)} k "
            f"JOIN {q(Person._meta.db_table)} p ON p.id = k.person_id "
            f"JOIN {q(WatchlistEntry._meta.db_table)} w ON w.person_id = p.id AND w.agency_id = p.owner_id "
            "WHERE k.key = ANY(%s) AND w.removed_at IS NULL AND p.protection = '' AND p.retracted_at IS NULL",
            [list(keys)])
        return cursor.fetchall()


# What a shared key says, for ranking candidates: a document number, an exact name
# key (in any script), a skeleton with the birth year or bare.
_KEY_WEIGHTS = {"d:": 6, "i:": 6, "n:": 3, "y:": 1, "p:": 1}


def _rank(shared, limit):
    """Person ids by the weight of the keys they share with the traveller (then by id), at most ``limit``:
    the watched person sharing an exact name key or the passport comes before namesakes sharing a skeleton."""
    score = {}
    for person_id, key in shared:
        score[person_id] = score.get(person_id, 0) + _KEY_WEIGHTS.get(key[:2], 1)
    return [pid for pid, _s in sorted(score.items(), key=lambda item: (-item[1], item[0]))[:limit]]


def lookup_keys(traveller):
    """The screening keys a traveller is looked up by (exact and cross-script, ``matching.keys``)."""
    return screening_lookup_keys(traveller.names, traveller.birth_date or None,
                                 [traveller.document] if traveller.document else [])


@lru_cache(maxsize=100_000)
def _cached_features(names, dob, countries, documents, identifiers, sex):
    from liaison.linkage import PersonRecord, features

    return features(PersonRecord(id="", names=list(names), dob=dob, countries=list(countries),
                                 documents=list(documents), identifiers=list(identifiers), sex=sex))


def _features(record):
    """The linkage features of ``record``, cached by content (not by id: a changed record is
    another key): the watched persons a border post screens against come back all day."""
    import dataclasses

    found = _cached_features(tuple(record.names), record.dob, tuple(record.countries), tuple(record.documents),
                             tuple(record.identifiers), record.sex)
    return dataclasses.replace(found, id=record.id) if hasattr(found, "id") else found


def find(travellers):
    """[[Found, ...] per traveller]: the watched persons each traveller matches, best first, one per agency."""
    m, prior, threshold = matcher(), screening_prior(), hit_threshold()
    out = []
    for start in range(0, len(travellers), BATCH):
        batch = travellers[start:start + BATCH]
        recs = [record_of(t, start + i) for i, t in enumerate(batch)]
        keys = [lookup_keys(t) for t in batch]
        all_keys = sorted(set().union(*keys)) if keys else []
        by_key, owners = {}, {}
        for person_id, key, owner_id in (_watched_keys(all_keys) if all_keys else ()):
            by_key.setdefault(key, []).append(person_id)
            owners[person_id] = owner_id
        candidates = [_rank(((pid, k) for k in own for pid in by_key.get(k, ())), MAX_CANDIDATES) for own in keys]
        wanted = {pid for cs in candidates for pid in cs}
        pool_features = stored_features(wanted)  # computed when the keys were
        missing = wanted - set(pool_features)  # stored by older code, or not yet
        pool_features.update({pid: _features(rec) for pid, rec in watched_records(missing).items()})
        for rec, cands in zip(recs, candidates):
            target = _features(rec)
            best = {}
            for pid in cands:
                if pid not in pool_features:
                    continue
                score = m.score_features(target, pool_features[pid], prior=prior)
                if score.probability < threshold:
                    continue
                agency = owners[pid]
                if agency not in best or score.match_weight > best[agency].fields.get("_weight", -1e9):
                    best[agency] = Found(pid, agency, float(score.probability),
                                         {**score.fields, "_weight": score.match_weight})
            found = sorted(best.values(), key=lambda f: -f.fields["_weight"])
            for f in found:
                f.fields.pop("_weight", None)
            out.append(found)
    return out


def fields_agreed(fields):
    """The compared fields that spoke for the match (positive weight), strongest first."""
    return [name for name, weight in sorted(fields.items(), key=lambda kv: -kv[1]) if weight > 0]


def may_screen(user):
    return bool(getattr(user, "can_screen", False))


@transaction.atomic
def screen(user, travellers, *, kind, place="", filename=""):
    """Screen ``travellers`` (checked ``Traveller``s) for ``user``: a ``Screening`` and its ``Answer``s.

    Writes the run, its hits (one audit entry each, one hit notice to each
    watching agency) and one audit entry for the run."""
    if not may_screen(user):
        raise NotAllowed(_("Your account cannot screen travellers. Ask your agency administrator for the "
                           "border screening role."))
    if not travellers:
        raise ScreeningError(_("Nothing to screen: give at least one traveller."))
    place = (place or "").strip()[:200]
    found = find(travellers)
    run = Screening.objects.create(user=user, agency_id=user.agency_id, kind=kind, place=place,
                                   filename=(filename or "")[:255], travellers=len(travellers))
    book = _ProbeBook(user.agency_id, {f.agency_id for hits in found for f in hits})
    answers, shown, made = [], 0, []
    for traveller, hits in zip(travellers, found):
        answer = Answer(traveller)
        for f in hits:
            withheld = not book.allow(f.agency_id)
            hit = ScreeningHit.objects.create(
                screening=run, line=traveller.line, watched_id=f.person_id, watched_agency_id=f.agency_id,
                score=f.probability, band=band_of(f.probability), fields_agreed=fields_agreed(f.fields),
                traveller=traveller.as_dict(), withheld=withheld)
            made.append(hit)
            if not withheld:
                answer.hits.append(hit)
        shown += bool(answer.hits)
        answers.append(answer)
    run.hits = shown
    run.results = [{**a.traveller.as_dict(), "hits": [h.reference for h in a.hits]} for a in answers]
    run.save(update_fields=["hits", "results"])
    screener_agency = user.agency  # one read for all the run's notices
    for hit in made:
        _announce(hit, run, user, screener_agency)
    audit.record(AuditEntry.Action.SCREENING, user, run, owner_agency=user.agency, kind=kind, place=place,
                 travellers=len(travellers), hits=shown, references=[h.reference for a in answers for h in a.hits])
    return run, answers


def _announce(hit, run, user, screener=None):
    """Audit the hit for the watching agency and send it the hit notice (who screened, where, when)."""
    from liaison.sharing.models import Agency

    screener = screener or Agency.objects.get(pk=run.agency_id)
    officer = user.get_full_name() or user.get_username()
    announce_hit(
        hit, run, user=user, screened_by=screener.short_name, detail={"place": run.place},
        values=lambda: {"agency": screener.short_name, "officer": officer, "place": run.place or _("no post given")},
        title=gettext_lazy("Screening hit %(reference)s: a traveller screened by %(agency)s matched your watchlisted "
                           "record (%(band)s)"),
        body=gettext_lazy("Screened by %(officer)s of %(agency)s at %(place)s, %(when)s. Open the hit to see your "
                          "record and the traveller as entered. The screening officer was told only to contact your "
                          "agency and to quote %(reference)s."),
        withheld=gettext_lazy("This hit was not shown to the screening officer: %(agency)s reached today's limit of "
                              "hits on your watchlist. Contact them if the traveller must be stopped."))


def announce_hit(hit, run, *, user, screened_by, detail, values, title, body, withheld):
    """Audit ``hit`` in the watching agency's trail and send that agency the hit notice: one path for
    a traveller screened here and for a question from another node (``liaison.federation.remote_match``).

    ``title``, ``body`` and ``withheld`` (added when the hit was held back from the screener) are lazy
    texts formatted with ``values()`` and the hit's reference, band and time, in each reader's language
    when the notice is shown; ``detail``: what else the audit entry records (the post, the node...)."""
    from django.urls import reverse

    from liaison.core.localefmt import Reader, format_datetime
    from liaison.registry.models import Person
    from liaison.sharing.models import Agency

    audit.record(AuditEntry.Action.SCREENING_HIT, user, Person(pk=hit.watched_id, owner_id=hit.watched_agency_id),
                 owner_agency=Agency(pk=hit.watched_agency_id), reference=hit.reference, screened_by=screened_by,
                 band=hit.band, withheld=hit.withheld, **detail)
    notify = _notify()
    if notify is None:
        return

    def all_values():
        return {"reference": hit.reference, "band": hit.get_band_display(),
                "when": format_datetime(run.at, Reader(language=translation.get_language() or "en")), **values()}

    def body_text():
        text = str(body) % all_values()
        return f"{text} {str(withheld) % all_values()}" if hit.withheld else text

    notify(agency=Agency(pk=hit.watched_agency_id), title=lambda: str(title) % all_values(), body=body_text,
           url=reverse("screening:hit", args=[hit.reference]), kind="screening_hit")


def _notify():
    try:
        from liaison.requests.notifications import notify
    except ImportError:
        return None
    return notify


class _ProbeBook:
    """Today's screening hits between the screener's agency and each watching agency, rows locked till the commit.
    Hits on the screener's own agency's records are not counted: it may read them anyway."""

    def __init__(self, prober, targets):
        self.prober, self.day, self.limit, self.rows = prober, timezone.localdate(), probe_limit(), {}
        for target in sorted(t for t in targets if t != prober):
            ScreeningProbeCount.objects.get_or_create(prober_id=prober, target_id=target, day=self.day)
            self.rows[target] = ScreeningProbeCount.objects.select_for_update().get(
                prober_id=prober, target_id=target, day=self.day)

    def allow(self, target):
        row = self.rows.get(target)
        if row is None:
            return True
        if row.hits >= self.limit:
            if row.alerted_at is None:
                row.alerted_at = timezone.now()
                row.save(update_fields=["alerted_at"])
                _warn_of_probing(row)
            return False
        row.hits += 1
        row.save(update_fields=["hits"])
        return True


def _warn_of_probing(row):
    """Tell the administrators of the watching agency that another agency's screening reached the day's limit."""
    from liaison.matching.services import tell_administrators
    from liaison.sharing.models import Agency

    prober = Agency.objects.get(pk=row.prober_id)
    target = Agency.objects.get(pk=row.target_id)
    values = {"agency": prober.short_name, "count": row.hits}

    def title():
        return _("Screening: possible probing of your watchlist by %(agency)s") % values

    def body():
        return _("Screening officers of %(agency)s made %(count)s hits on your watchlist today, the most allowed in a "
                 "day. Screening a name again and again with small changes can tell an agency what your records hold. "
                 "Further hits are not shown to %(agency)s until tomorrow, but you still receive each one; %(agency)s "
                 "is not told. Ask its liaison officer about it if you cannot explain it.") % values

    audit.record(AuditEntry.Action.SCREENING_PROBING, None, None, owner_agency=target,
                 prober=prober.short_name, hits=row.hits, day=row.day.isoformat())
    tell_administrators(target, title=title, body=body, kind="screening_probing")


# Reading back ---------------------------------------------------------------

def runs_for(user):
    """The screening runs of the user's agency (its screeners' own data)."""
    if getattr(user, "agency_id", None) is None:
        return Screening.objects.none()
    return Screening.objects.filter(agency_id=user.agency_id)


def hits_for_owner(user):
    """The screening hits on the watchlist of the user's agency (withheld ones included)."""
    if getattr(user, "agency_id", None) is None or getattr(user, "screening_only", False):
        return ScreeningHit.objects.none()
    return ScreeningHit.objects.filter(watched_agency_id=user.agency_id)


def readable_records(user, hits):
    """{hit reference: person id} for the hits whose record ``user`` may read anyway (visible, identity readable)."""
    from liaison.matching.services import judgeable_persons

    hits = list(hits)
    if not hits:
        return {}
    readable = set(judgeable_persons(user).filter(pk__in={h.watched_id for h in hits}).values_list("pk", flat=True))
    return {h.reference: h.watched_id for h in hits if h.watched_id in readable}


def answer_rows(user, run):
    """The run's lines for its result page and the API, hits first: each with its shown hits."""
    from liaison.matching.display import FIELD_LABELS

    shown = {h.reference: h for h in run.hit_rows.filter(withheld=False).select_related("watched_agency")}
    readable = readable_records(user, shown.values())
    rows = []
    for result in run.results:
        hits = []
        for reference in result.get("hits", []):
            hit = shown.get(reference)
            if hit is None:
                continue
            hits.append({
                "reference": hit.reference, "agency": hit.watched_agency.short_name,
                "agency_name": hit.watched_agency.name, "band": hit.band, "band_label": hit.get_band_display(),
                "fields_agreed": [{"field": f, "label": str(FIELD_LABELS.get(f, f))} for f in hit.fields_agreed],
                "record": readable.get(hit.reference),
            })
        rows.append({**result, "hits": hits, "hit": bool(hits)})
    rows.sort(key=lambda r: (not r["hit"], r.get("line", 0)))
    return rows

