"""Matching services: find candidate pairs, merge, reject, split, watchlist hits.

Every write is transactional and audited. Matching itself may read persons
the acting user cannot see (a watchlist hit must find another agency's
fugitive); what it *outputs* to a user never reveals them: candidate pairs
are shown only to users who may see both persons (``visible_pairs``), and a
hit notice says only "a record held by agency X: strong (or possible) match".
Only records their owner put on the watchlist answer with hits, never a
protected identity, and an agency making too many hits with another agency's
records in a day gets no more that day (``ProbeCount``).

Deciding needs more than seeing: a merge, rejection or split changes what the
agencies holding the records see, so only an agency holding one of the two
records of a pair may decide it (``decidable_pairs`` is its queue).
"""
from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.audit import log as audit
from liaison.audit.models import AuditEntry
from liaison.matching import records as person_records
from liaison.matching import statuses
from liaison.matching.keys import rank_candidates
from liaison.matching.models import (
    CandidatePair, Entity, EntityMember, HitNotice, KeyedPerson, MatchKey, PairDecision, ProbeCount, WatchlistEntry,
)

logger = logging.getLogger(__name__)

# How many blocked persons are scored against one new person at most: the
# ones sharing the most keys. Keeps arrival matching well under 100 ms even
# for a very common name.
MAX_CANDIDATES = 200


class MatchingError(ValueError):
    """The decision cannot be taken; the message says why in an officer's words."""


class NotAllowed(MatchingError):
    """The user's role or agency may not take this decision (answer 403)."""


class NotFound(LookupError):
    """The pair, cluster or notice does not exist for this user (answer 404)."""


def candidate_threshold():
    return float(getattr(settings, "MATCH_CANDIDATE_THRESHOLD", 0.5))


def hit_threshold():
    return float(getattr(settings, "MATCH_HIT_THRESHOLD", 0.8))


def strong_threshold():
    """From this probability on, a hit (or a duplicate) is a "strong" match. High on purpose:
    a name and a year of birth that agree are strong whether a passport number agrees or not,
    so that the band cannot be used to guess the number."""
    return float(getattr(settings, "MATCH_STRONG_HIT", 0.99))


def band_of(probability):
    return HitNotice.Band.STRONG if probability >= strong_threshold() else HitNotice.Band.POSSIBLE


# The fields a hit's band never depends on. Someone who enters a record with a guessed
# passport or phone number and reads "strong" or "possible" would otherwise learn whether
# the guess was right: a wrong number (a contradiction) moved a name-and-year hit from
# strong to possible once the linkage prior became 0.001. Whether there is a hit at all
# still counts every field; the band weighs only who the person is said to be.
BAND_BLIND_FIELDS = ("document", "identifier")


def band_probability(score):
    """The probability the band is taken from: ``score`` (a ``PairScore``) without the
    weights of ``BAND_BLIND_FIELDS``."""
    weight = score.match_weight - sum(w for name, w in score.fields.items() if name in BAND_BLIND_FIELDS)
    return 1.0 / (1.0 + 2.0 ** -max(min(weight, 60.0), -60.0))


def band_of_score(score):
    return band_of(band_probability(score))


def probe_limit():
    """Watchlist hits one agency's records may make with another agency's records in a day."""
    return int(getattr(settings, "MATCH_PROBE_LIMIT", 50))


@lru_cache(maxsize=1)
def matcher():
    from liaison.linkage import Matcher

    return Matcher.default()


# Blocking keys and the watchlist -------------------------------------------

def refresh_keys(recs, *, replace=True):
    """Replace the blocking keys of the persons in ``recs`` ({id: PersonRecord}); returns how many were written."""
    if replace:
        MatchKey.objects.filter(person_id__in=list(recs)).delete()
    rows = [(pid, key) for pid, rec in recs.items() for key in sorted(person_records.keys_of(rec))]
    if connection.vendor == "postgresql" and len(rows) > 1000:
        # COPY: the batch run writes a dozen keys per person of the registry;
        # bulk_create spent more time building INSERTs than PostgreSQL storing rows.
        table = connection.ops.quote_name(MatchKey._meta.db_table)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} (person_id, key) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        MatchKey.objects.bulk_create([MatchKey(person_id=pid, key=key) for pid, key in rows], batch_size=2000)
    return len(rows)


def analyze_keys_if_grown(keys, persons):
    """After a chunk of a run: ``ANALYZE`` the key tables when they have doubled since the planner
    last looked (PostgreSQL). A first run over a registry loaded in bulk grows them from nothing to
    ten million rows, faster than autovacuum follows, and a planner that believes them empty
    scans them whole for every chunk's candidate lookup."""
    from liaison.registry.bulk import analyze_if_grown

    analyze_if_grown({MatchKey: keys, KeyedPerson: persons})


def mark_keyed(person_ids):
    """Record that the keys of ``person_ids`` are current (``KeyedPerson``, upserted), in the
    caller's transaction with the keys themselves: a run killed between the two cannot leave
    one without the other."""
    now = timezone.now()
    KeyedPerson.objects.bulk_create([KeyedPerson(person_id=pk, keyed_at=now) for pk in sorted(person_ids)],
                                    update_conflicts=True, unique_fields=["person"], update_fields=["keyed_at"],
                                    batch_size=2000)


def forget_keys(person_ids):
    """Nothing of ``person_ids`` (deleted or retracted) may be matched any more: no keys, no row."""
    ids = list(person_ids)
    for start in range(0, len(ids), 2000):
        MatchKey.objects.filter(person_id__in=ids[start:start + 2000]).delete()
        KeyedPerson.objects.filter(pk__in=ids[start:start + 2000]).delete()


def drop_retracted_keys():
    """Take the retracted persons that still have keys (or a ``KeyedPerson`` row) out of the
    matching. Retraction is written with ``update()``, so this is where their keys go;
    a restored person has no row then, and the next run keys it again. Returns how many."""
    from django.db.models import Exists, OuterRef

    from liaison.registry.models import Person

    ids = list(Person.objects.filter(retracted_at__isnull=False).filter(
        Q(Exists(MatchKey.objects.filter(person_id=OuterRef("pk")))) | Q(match_keyed__isnull=False),
    ).order_by().values_list("pk", flat=True))
    with transaction.atomic():
        forget_keys(ids)
    return len(ids)


def _refuse_protected(person):
    if person.protection:
        raise MatchingError(_("A protected identity (victim, witness, informant) cannot be put on the watchlist: "
                              "a hit would tell other agencies that you hold this record."))


def put_on_watchlist(person, reason, user=None):
    """List ``person`` for its owner agency (audited); no check of who lists it. Officers go through
    ``add_to_watchlist``; the demo lists its fugitives here, as the system."""
    _refuse_protected(person)
    entry = WatchlistEntry.objects.create(person=person, agency_id=person.owner_id, reason=reason, listed_by=user)
    audit.record(AuditEntry.Action.WATCHLIST_ADD, user, person, owner_agency=person.owner, entry=entry.pk, reason=reason)
    return entry


@transaction.atomic
def add_to_watchlist(user, person, reason):
    """An officer of the agency holding the record puts it on its watchlist (audited).

    The only way onto the watchlist: a listed record answers other agencies'
    records with hit notices, which the owner must have chosen."""
    if not getattr(user, "can_edit", False) or person.owner_id != user.agency_id:
        raise NotAllowed(_("Only officers of the agency holding this record can put it on the watchlist."))
    _refuse_protected(person)
    if not (reason or "").strip():
        raise MatchingError(_("Say why this person is on the watchlist (for example the warrant number)."))
    if WatchlistEntry.objects.filter(person=person, removed_at__isnull=True).exists():
        raise MatchingError(_("This person is already on the watchlist."))
    entry = put_on_watchlist(person, reason.strip(), user)
    # Guarded like every arrival: the listing is saved whatever the matcher does;
    # a failure is logged and `liaison match run` raises the hits later.
    schedule(person.pk)
    return entry


@transaction.atomic
def remove_from_watchlist(user, entry):
    if not getattr(user, "can_edit", False) or entry.agency_id != user.agency_id:
        raise NotAllowed(_("Only officers of the listing agency can take a person off its watchlist."))
    entry.removed_at = timezone.now()
    entry.save(update_fields=["removed_at"])
    audit.record(AuditEntry.Action.WATCHLIST_REMOVE, user, entry.person, owner_agency=entry.agency, entry=entry.pk)
    return entry


def watched_persons(ids):
    """Of ``ids``, the persons whose hits may be notified: listed by their owner, identity not
    protected (a record made protected after it was listed stops answering), not retracted."""
    return set(WatchlistEntry.objects.filter(
        person_id__in=ids, removed_at__isnull=True, person__protection="", person__retracted_at__isnull=True,
        person__owner_id=models.F("agency_id"),
    ).values_list("person_id", flat=True))


# Finding candidates ---------------------------------------------------------

def match_new_person(person):
    """Match one person that has just arrived or changed (intake, import, API, form)."""
    return match_persons([person.pk])


@transaction.atomic
def match_persons(person_ids, *, found_by="incremental", threshold=None):
    """Refresh the keys of ``person_ids``, score them against the persons sharing a key,
    record candidate pairs and watchlist hits. Idempotent. Returns the new pairs.

    Their ``KeyedPerson`` rows are written in the same transaction: if this fails, the
    persons stay "to key" and the next ``liaison match run`` matches them."""
    recs = person_records.load(set(person_ids))
    gone = set(person_ids) - set(recs)
    if gone:  # deleted or retracted: nothing of theirs may be matched any more
        forget_keys(gone)
    if not recs:
        return []
    refresh_keys(recs)
    mark_keyed(recs)
    return record_pairs(score_loaded(recs, threshold=threshold), found_by=found_by, arrived=set(recs))


def score_loaded(recs, *, threshold=None):
    """(person id, person id, PairScore) of each of ``recs`` ({id: PersonRecord}, keys already
    stored) against the persons sharing a key with it: the ``MAX_CANDIDATES`` sharing the most
    keys, scored by the matcher, those from ``threshold`` on."""
    threshold = candidate_threshold() if threshold is None else threshold
    blocked = blocked_candidates({pid: person_records.keys_of(rec) for pid, rec in recs.items()})
    pool = person_records.load({c for cs in blocked.values() for c in cs} - set(recs))
    pool.update(recs)
    scored = []
    m = matcher()
    for pid, candidates in blocked.items():
        others = [pool[c] for c in candidates if c in pool]
        for other, score in m.candidates(recs[pid], others, threshold=threshold):
            scored.append((pid, int(other.id), score))
    return scored


def blocked_candidates(keys, limit=MAX_CANDIDATES):
    """{person id: [candidate ids]}: for each person of ``keys`` ({id: its blocking keys}), the
    ``limit`` other persons sharing the most keys (``keys.rank_candidates``'s order).

    On PostgreSQL the database counts and ranks, so that only the ``limit`` best come back: a
    common name key is shared by thousands of persons in a large registry, and holding every
    sharer of every key of a few hundred persons grew with the registry (``liaison match run``
    must not). Elsewhere (SQLite, small registries) in Python."""
    if connection.vendor == "postgresql":
        persons, own = [], []
        for pid, person_keys in keys.items():
            persons.extend([pid] * len(person_keys))
            own.extend(person_keys)
        if not own:
            return {}
        table = connection.ops.quote_name(MatchKey._meta.db_table)
        sql = f"""
            SELECT person, other FROM (
                SELECT own.person, m.person_id AS other, ROW_NUMBER() OVER (
                    PARTITION BY own.person
                    ORDER BY SUM(CASE WHEN left(own.key, 2) IN ('d:', 'i:') THEN 5 ELSE 1 END) DESC, m.person_id
                ) AS rank
                FROM unnest(%s::bigint[], %s::text[]) AS own(person, key)
                JOIN {table} m ON m.key = own.key AND m.person_id <> own.person
                GROUP BY own.person, m.person_id
            ) ranked
            WHERE rank <= %s ORDER BY person, rank"""
        blocked = {pid: [] for pid in keys}
        with connection.cursor() as cursor:
            cursor.execute(sql, [persons, own, limit])
            for pid, other in cursor.fetchall():
                blocked[pid].append(other)
        return blocked
    all_keys = set().union(*keys.values()) if keys else set()
    sharing = {}
    for pid, key in MatchKey.objects.filter(key__in=all_keys).values_list("person_id", "key").iterator(chunk_size=5000):
        sharing.setdefault(key, []).append(pid)
    return {pid: rank_candidates(((other, k) for k in own for other in sharing.get(k, ()) if other != pid), limit)
            for pid, own in keys.items()}


def _pair_key(a, b):
    return (a, b) if a < b else (b, a)


def record_pairs(scored, *, found_by, arrived=None):
    """Store scored pairs (person id, person id, PairScore): new ones open, open ones rescored,
    decided ones left alone (a rejected pair is never proposed again). Then the watchlist hits.

    ``arrived``: the persons just entered or changed, whose agencies the hits
    are counted against; None for the batch run."""
    from liaison.registry.models import Person

    best = {}
    for a, b, score in scored:
        if a == b:
            continue
        key = _pair_key(a, b)
        if key not in best or score.probability > best[key].probability:
            best[key] = score
    if not best:
        return []
    ids = {i for key in best for i in key}
    existing = {}
    for pair in CandidatePair.objects.filter(person_a_id__in=ids, person_b_id__in=ids):
        existing[(pair.person_a_id, pair.person_b_id)] = pair
    cluster = dict(EntityMember.objects.filter(person_id__in=ids, removed_at__isnull=True).values_list("person_id", "entity_id"))
    new, changed = [], []
    for (a, b), score in best.items():
        values = {"probability": float(score.probability), "match_weight": float(score.match_weight),
                  "fields": {k: round(float(v), 3) for k, v in score.fields.items()}, "why": _why_list(score.why)}
        pair = existing.get((a, b))
        if pair is None:
            if cluster.get(a) is not None and cluster.get(a) == cluster.get(b):
                continue  # already one person
            new.append(CandidatePair(person_a_id=a, person_b_id=b, found_by=found_by, **values))
        elif pair.status == CandidatePair.Status.OPEN and pair.probability != values["probability"]:
            for k, v in values.items():
                setattr(pair, k, v)
            pair.updated_at = timezone.now()  # bulk_update does not apply auto_now
            changed.append(pair)
    # ignore_conflicts: a concurrent arrival may have stored the same pair a moment ago.
    CandidatePair.objects.bulk_create(new, ignore_conflicts=True)
    if changed:
        CandidatePair.objects.bulk_update(changed, ["probability", "match_weight", "fields", "why", "updated_at"])
    owners = dict(Person.objects.filter(pk__in=ids).values_list("pk", "owner_id"))
    _record_hits(best, owners, arrived)
    return new


def _why_list(why):
    if isinstance(why, (list, tuple)):
        return [str(w) for w in why]
    return [part.strip() for part in str(why or "").split(";") if part.strip()]


def _record_hits(best, owners, arrived=None):
    """A hit notice for each pair above the hit threshold between a watched person
    and a person of another agency; one per pair, its band kept up to date.

    Each hit is counted against the agency that learns something from it:
    the one whose record was just entered or changed (``arrived``), whichever
    side of the hit that is; in the batch run, the agency holding the matched
    record, and only when the run changes what it sees (a new notice, another
    band), so that nightly runs over unchanged records count nothing. Over
    the day's limit the hit is not made (``_ProbeBook``), and its matched
    person is left to the next ``liaison match run``."""
    ids = {i for key in best for i in key}
    watched = watched_persons(ids)
    if not watched:
        return
    wanted = {}
    for (a, b), score in best.items():
        if score.probability < hit_threshold() or owners.get(a) is None or owners.get(b) is None or owners[a] == owners[b]:
            continue
        for w, m in ((a, b), (b, a)):
            if w in watched:
                wanted[(w, m)] = (float(score.probability), band_of_score(score))
    if not wanted:
        return
    known = {(h.watched_id, h.matched_id): h for h in HitNotice.objects.filter(
        watched_id__in={w for w, _m in wanted}, matched_id__in={m for _w, m in wanted})}
    plan = []
    for (w, m), (score, band) in sorted(wanted.items()):
        hit = known.get((w, m))
        if arrived is None:
            prober, target, counts = owners[m], owners[w], hit is None or hit.band != band
        else:
            trigger = m if m in arrived else w
            prober, target, counts = owners[trigger], owners[w if trigger == m else m], True
        plan.append((w, m, score, hit, band, (prober, target) if counts else None))
    book = _ProbeBook({key for *_rest, key in plan if key is not None})
    held = set()
    for w, m, score, hit, band, key in plan:
        if key is not None and not book.allow(*key):
            held.add(m)
            continue
        if hit is None:
            hit = HitNotice.objects.create(watched_id=w, watched_agency_id=owners[w], matched_id=m,
                                           matched_agency_id=owners[m], score=score, band=band)
            _announce(hit)
        elif hit.band != band:
            hit.score, hit.band = score, band
            hit.save(update_fields=["score", "band", "updated_at"])
        elif abs(hit.score - score) > 1e-9:
            # Kept for the matcher, not shown: "last changed" stays, or it would say the score moved.
            hit.score = score
            hit.save(update_fields=["score"])
    if held:
        # Held back by the day's limit: the matched person stays "to key", so that a later `liaison
        # match run` matches it again and makes the hit once the limit allows (the next day). Not the
        # watched one: matching it again would count every hit it already has again.
        from liaison.matching.signals import mark_stale

        mark_stale(held)


class _ProbeBook:
    """Today's hits between pairs of agencies: the ``ProbeCount`` rows of ``keys`` ((prober,
    target) agency ids), locked till the commit, in one order so concurrent arrivals cannot deadlock."""

    def __init__(self, keys):
        self.day, self.limit, self.rows = timezone.localdate(), probe_limit(), {}
        for prober, target in sorted(keys):
            ProbeCount.objects.get_or_create(prober_id=prober, target_id=target, day=self.day)
            self.rows[(prober, target)] = ProbeCount.objects.select_for_update().get(
                prober_id=prober, target_id=target, day=self.day)

    def allow(self, prober, target):
        """Count one hit of ``prober``'s records with ``target``'s; False (and ``target`` warned, once
        a day) when the day's limit is reached. Nothing is said to ``prober``."""
        row = self.rows[(prober, target)]
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
    """Tell the administrators of ``row.target`` that ``row.prober`` may be probing its records (audited).

    Says the prober and the day's count: both agencies would have seen that many hit
    notices anyway; nothing of the prober's records."""
    from liaison.sharing.models import Agency

    prober, target = Agency.objects.get(pk=row.prober_id), Agency.objects.get(pk=row.target_id)
    values = {"agency": prober.short_name, "count": row.hits}

    def title():
        return _("Watchlist: possible probing of your records by %(agency)s") % values

    def body():
        return _("Records of %(agency)s made %(count)s watchlist hits with your records today, the most allowed in a day. "
                     "Entering records again and again with small changes can tell an agency what your records hold. "
                     "Further hits between %(agency)s and your records are held back until tomorrow; %(agency)s is not told. "
                     "Ask its liaison officer about it if you cannot explain it.") % values

    audit.record(AuditEntry.Action.WATCHLIST_PROBING, None, None, owner_agency=target,
                 prober=prober.short_name, hits=row.hits, day=row.day.isoformat())
    tell_administrators(target, title=title, body=body, kind="watchlist_probing")


def tell_administrators(agency, *, title, body, kind):
    """Notify ``agency``'s administrators, or its inbox when it has none (``title`` and ``body`` are
    callables, written in each reader's language). Used by every probing warning (watchlist, screening)."""
    from liaison.sharing.models import Role, User

    notify = _requests_api("notifications", "notify")
    if notify is None:
        return
    admins = [u for u in User.objects.filter(agency=agency, is_active=True).order_by("pk") if u.has_role(Role.AGENCY_ADMIN)]
    for admin in admins or [None]:  # no administrator: the agency's inbox
        notify(agency=agency, user=admin, title=title, body=body, url="", kind=kind)


def _announce(hit):
    """Tell both agencies, in words that name only the other agency and the band; audit both sides."""
    from django.urls import reverse

    from liaison.registry.models import Person

    url = reverse("matching:hit", args=[hit.pk])
    hit = HitNotice.objects.select_related("watched_agency", "matched_agency").get(pk=hit.pk)
    for agency, own_id, other in ((hit.watched_agency, hit.watched_id, hit.matched_agency),
                                  (hit.matched_agency, hit.matched_id, hit.watched_agency)):
        audit.record(AuditEntry.Action.WATCHLIST_HIT, None, Person(pk=own_id, owner_id=agency.pk), owner_agency=agency,
                     hit=hit.pk, other_agency=other.short_name, band=hit.band)
        notify = _requests_api("notifications", "notify")
        if notify is not None:
            notify(agency=agency, title=lambda agency=agency: hit.message_for(agency.pk, prefix=True), url=url,
                   kind="watchlist_hit")


def _requests_api(module, name):
    """A function of the requests app, or None while that app does not provide it."""
    import importlib

    try:
        return getattr(importlib.import_module(f"liaison.requests.{module}"), name)
    except (ImportError, AttributeError):
        return None


def refresh_all_keys(*, chunk=2000, progress=None, keep=True):
    """Blocking keys of every live person (bulk loads skip them), each chunk of persons in
    its own transaction with its ``KeyedPerson`` rows; the keys of retracted persons go.
    Returns the PersonRecords for the batch linkage (``keep``), else their number.
    ``progress(done, total)`` is called first, then after each chunk."""
    from liaison.registry.models import Person

    drop_retracted_keys()
    live = Person.objects.filter(retracted_at__isnull=True)
    total = live.count() if progress else None
    if progress:
        progress(0, total)
    all_recs, done, last = [], 0, 0
    while True:
        ids = list(live.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk])
        if not ids:
            break
        with transaction.atomic():
            recs = person_records.load(ids)
            forget_keys(set(ids) - set(recs))  # retracted since the ids were read
            written = refresh_keys(recs)
            mark_keyed(recs)
        analyze_keys_if_grown(written, len(recs))
        if keep:
            all_recs.extend(recs.values())
        done, last = done + len(recs), ids[-1]
        if progress:
            progress(done, max(total, done))
    return all_recs if keep else done


# Below this many persons the batch run scores in Python: starting Splink and
# DuckDB costs more than the work.
PYTHON_BACKEND_BELOW = 20000
BATCH_CUT = 0.01
# Pairs stored per transaction by the batch run: bounded lookups (and SQL
# parameter lists) whatever the size of the registry.
PAIRS_PER_TRANSACTION = 2000


def run_batch(*, threshold=None, backend=None, chunk=2000, progress=None):
    """Deduplicate the whole registry (``liaison match run --full``): refresh every blocking key
    (and ``KeyedPerson`` row, so that an incremental run after it has nothing to do), then store
    the candidate pairs of the batch linkage (and the watchlist hits).

    Memory grows with the registry: the batch linkage holds every person's record at once
    (about 5 GB at a million persons). ``liaison match run`` without ``--full`` does not.

    Idempotent: pairs already stored are rescored, never duplicated; rejected or
    merged pairs are left as decided. Returns (pairs found, pairs new).
    ``progress(stage, done, total)``: stage "key" after each chunk keyed, "link" before the linkage.
    """
    from liaison.linkage import dedupe

    threshold = candidate_threshold() if threshold is None else threshold
    all_recs = refresh_all_keys(chunk=chunk, progress=(lambda done, total: progress("key", done, total)) if progress else None)
    if backend is None:
        backend = "python" if len(all_recs) < PYTHON_BACKEND_BELOW else "duckdb"
    if progress:
        progress("link", 0, len(all_recs))
    m = matcher()
    # The batch linkage finds the pairs; each is then scored the way arrival
    # matching scores it (``Matcher.score``, the pair prior), so that a pair
    # shows the same probability in the queue however it was found. The batch
    # probability (population prior) is lower, hence the low cut here.
    result = dedupe(all_recs, threshold=min(threshold, BATCH_CUT), backend=backend, matcher=m)
    by_id = {r.id: r for r in all_recs}
    scored = []
    for a, b, _batch_score in result.pairs:
        score = m.score(by_id[a], by_id[b])
        if score.probability >= threshold:
            scored.append((int(a), int(b), score))
    new = 0
    for start in range(0, len(scored), PAIRS_PER_TRANSACTION):
        with transaction.atomic():
            new += len(record_pairs(scored[start:start + PAIRS_PER_TRANSACTION], found_by="batch"))
    return len(scored), new


# Scheduling on arrival -------------------------------------------------------

class _Batch:
    """The persons written in one transaction, matched once after it commits."""

    def __init__(self, outer):
        self.outer, self.ids, self.done = outer, set(), False

    def run(self):
        if self.done:
            return
        self.done = True
        from liaison.tasks import services as jobs

        if not jobs.eager():
            # With a broker (production): off the officer's request, in `liaison worker`
            # (liaison.tasks.match_arrivals; matching a person again records no pair twice).
            from liaison.tasks.tasks import match_arrivals

            jobs.dispatch(match_arrivals, sorted(self.ids), on_error=lambda exc: self._match_now())
            return
        self._match_now()

    def _match_now(self):
        try:
            match_persons(self.ids)
        except Exception:  # noqa: BLE001 — the record is saved; `liaison match run` catches up
            logger.exception("Matching of persons %s on arrival failed", sorted(self.ids))


_local = threading.local()  # one pending batch per thread and database, like Django's connections


def schedule(person_id):
    """Match ``person_id`` once the current transaction commits (at once outside one).

    Several saves of one person's names, documents and statuses in one
    transaction give one matching run, with everything saved.
    """
    if person_id is None:
        return
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        batch = _Batch(None)
        batch.ids.add(person_id)
        batch.run()
        return
    outer = conn.atomic_blocks[0]
    batches = _local.__dict__.setdefault("batches", {})
    batch = batches.get(conn.alias)
    if batch is None or batch.done or batch.outer is not outer:
        batch = batches[conn.alias] = _Batch(outer)
    batch.ids.add(person_id)
    # One callback per save: whichever runs first matches them all, the others find it done.
    transaction.on_commit(batch.run)


# Lists of persons that arrive at once (import): matched after the commit, in
# chunks; above this many rows the import stays fast and `liaison match run`
# (nightly, or by hand) finds their pairs.
ARRIVAL_LIMIT = 5000
CHUNK = 500


def match_on_commit(person_ids):
    """Match persons that arrived in bulk once the transaction commits."""
    ids = sorted(set(person_ids))
    if not ids or len(ids) > ARRIVAL_LIMIT:
        return

    def run():
        for start in range(0, len(ids), CHUNK):
            try:
                match_persons(ids[start:start + CHUNK])
            except Exception:  # noqa: BLE001 — the import is saved; `liaison match run` catches up
                logger.exception("Matching of %s imported persons failed", len(ids))
                return

    transaction.on_commit(run)


# Visibility of the output -----------------------------------------------------

def judgeable_persons(user):
    """Persons ``user`` may see *with* their identity: only those can be judged as a pair."""
    from liaison.registry.models import Person
    from liaison.sharing.visibility import protected_visible_q

    return Person.objects.visible_to(user).filter(Q(protection="") | protected_visible_q(Person, user))


def possible_duplicates(user, *, names, birth_date="", sex="", countries=(), limit=5):
    """Persons ``user`` may see and read that are a strong match for a person not saved yet.

    Checked on the new-person form before saving, so that the officer opens
    the existing record instead of entering the person twice. Only
    ``judgeable_persons`` are looked at: a warning naming (or even hinting
    at) a record the user may not see would be a leak."""
    from liaison.linkage import PersonRecord
    from liaison.registry.models import Person

    record = PersonRecord(id="new", names=[n for n in names if n and n.strip()], dob=str(birth_date or "") or None,
                          countries=sorted(set(countries)), sex=sex or None)
    if not record.names:
        return []
    keys = person_records.keys_of(record)
    shared = MatchKey.objects.filter(key__in=keys, person__in=judgeable_persons(user).values("pk")).values_list("person_id", "key")
    pool = person_records.load(rank_candidates(shared, MAX_CANDIDATES))
    found = [int(other.id) for other, _score in matcher().candidates(record, pool.values(), threshold=strong_threshold())]
    found = found[:limit]
    persons = {p.pk: p for p in Person.objects.filter(pk__in=found).select_related("owner")}
    return [persons[pk] for pk in found if pk in persons]


def visible_pairs(user, status=CandidatePair.Status.OPEN):
    """Candidate pairs whose two persons ``user`` may see; no other pair exists for them."""
    people = judgeable_persons(user).values("pk")
    qs = CandidatePair.objects.filter(person_a__in=people, person_b__in=people)
    return qs.filter(status=status) if status else qs


def decidable_pairs(user, status=CandidatePair.Status.OPEN):
    """The agency's queue: visible pairs of which the user's agency holds at least one record.

    A pair made only of other agencies' records changes what those agencies
    see once merged; it is theirs to decide, so it is not offered here."""
    agency = getattr(user, "agency_id", None)
    if agency is None:
        return CandidatePair.objects.none()
    return visible_pairs(user, status).filter(Q(person_a__owner_id=agency) | Q(person_b__owner_id=agency))


def may_decide(user, pair):
    """Whether ``user`` may merge or reject ``pair`` (role and agency; visibility is checked by ``get_pair``)."""
    agency = getattr(user, "agency_id", None)
    return (getattr(user, "can_edit", False) and agency is not None
            and agency in (pair.person_a.owner_id, pair.person_b.owner_id))


def get_pair(user, pk):
    try:
        return visible_pairs(user, status=None).get(pk=pk)
    except (CandidatePair.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such candidate match.")) from None


def notices_for(user):
    """The hit notices of the user's agency (either side)."""
    agency = getattr(user, "agency_id", None)
    if agency is None:
        return HitNotice.objects.none()
    return HitNotice.objects.filter(Q(watched_agency_id=agency) | Q(matched_agency_id=agency))


def get_notice(user, pk):
    try:
        return notices_for(user).select_related("watched_agency", "matched_agency").get(pk=pk)
    except (HitNotice.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such hit notice.")) from None


# Decisions ------------------------------------------------------------------

def _require_analyst(user):
    if not getattr(user, "can_edit", False):
        raise NotAllowed(_("Only analysts and liaison officers can decide candidate matches."))


def _require_own_record(user, pair):
    if not may_decide(user, pair):
        raise NotAllowed(_("Only an agency holding one of the two records can decide this candidate match."))


def _audit_pair(action, user, pair, **detail):
    """One entry per record of the pair, each in the trail of the agency holding it.

    An entry is read by that agency's administrators, who may not see the
    other record: it names the pair and the cluster, never the other record,
    the field weights or the probability (which describe the other record),
    nor the typed reason (which may name it), unless one agency holds both
    records. Who may see both finds all of it on the pair's page."""
    for own, other in ((pair.person_a, pair.person_b), (pair.person_b, pair.person_a)):
        written = {"pair": pair.pk, **detail}
        if own.owner_id == other.owner_id:
            written.update(other_person=other.pk, probability=round(pair.probability, 4), fields=pair.fields, note=pair.note)
        audit.record(action, user, own, **written)


def _current_statuses(pair):
    """{person id: current PersonStatus or None} of the pair's two persons."""
    from liaison.registry.models import PersonStatus

    found = {pair.person_a_id: [], pair.person_b_id: []}
    for status in PersonStatus.objects.filter(person_id__in=list(found)):
        found[status.person_id].append(status)
    return {pid: statuses.current(rows) for pid, rows in found.items()}


def status_conflict(pair):
    """(status of person a, status of person b) when the two records disagree on what became
    of the person ("deceased" and "repatriated"); None when they agree or one has none."""
    current = _current_statuses(pair)
    a, b = current[pair.person_a_id], current[pair.person_b_id]
    if a is not None and b is not None and statuses.conflict(a.status, b.status):
        return a, b
    return None


@transaction.atomic
def merge(user, pair, note="", *, confirm_statuses=False):
    """Confirm a candidate pair: both persons become members of one identity cluster.

    Each agency keeps its own record with its own names, identifiers and
    sources; the cluster only says they are the same person. Clusters the two
    were already in are joined (the old memberships are closed, not deleted).
    Records that disagree on the person's current status (one says deceased,
    the other handed over alive) are merged only with ``confirm_statuses``.
    """
    pair = get_pair(user, pair.pk)
    _require_analyst(user)
    pair = CandidatePair.objects.select_for_update().select_related("person_a", "person_b").get(pk=pair.pk)
    _require_own_record(user, pair)
    if pair.status != CandidatePair.Status.OPEN:
        raise MatchingError(_("This candidate match was already decided (%(status)s).") % {"status": pair.get_status_display()})
    conflict = status_conflict(pair)
    if conflict and not confirm_statuses:
        a, b = conflict
        raise MatchingError(_("The two records disagree on what became of the person: “%(a)s” in one, “%(b)s” in the other. "
                              "Check both, then confirm that they are the same person anyway.")
                            % {"a": a.get_status_display(), "b": b.get_status_display()})
    now = timezone.now()
    live = {m.person_id: m for m in EntityMember.objects.select_for_update().filter(
        person_id__in=[pair.person_a_id, pair.person_b_id], removed_at__isnull=True)}
    ma, mb = live.get(pair.person_a_id), live.get(pair.person_b_id)
    reason = note.strip() or _("Confirmed candidate match #%(pair)s") % {"pair": pair.pk}
    if ma and mb and ma.entity_id == mb.entity_id:
        entity = ma.entity
    elif ma and mb:
        entity, absorbed = ma.entity, mb.entity
        moving = list(EntityMember.objects.filter(entity=absorbed, removed_at__isnull=True))
        EntityMember.objects.filter(pk__in=[m.pk for m in moving]).update(
            removed_at=now, removed_by=user, removal_reason=_("Joined identity cluster #%(id)s") % {"id": entity.pk})
        EntityMember.objects.bulk_create([
            EntityMember(entity=entity, person_id=m.person_id, pair=pair if m.person_id == pair.person_b_id else m.pair,
                         added_by=user, reason=reason) for m in moving
        ])
    else:
        entity = (ma or mb).entity if (ma or mb) else Entity.objects.create(created_by=user)
        for person_id, member in ((pair.person_a_id, ma), (pair.person_b_id, mb)):
            if member is None:
                EntityMember.objects.create(entity=entity, person_id=person_id, pair=pair, added_by=user, reason=reason)
    pair.status, pair.decided_by, pair.decided_at, pair.note = CandidatePair.Status.MERGED, user, now, note.strip()
    pair.save(update_fields=["status", "decided_by", "decided_at", "note", "updated_at"])
    PairDecision.objects.create(pair=pair, kind=PairDecision.Kind.MERGED, by=user, note=pair.note)
    _audit_pair(AuditEntry.Action.MERGE, user, pair, entity=entity.pk)
    return entity


@transaction.atomic
def reject(user, pair, note=""):
    """Different persons: the pair leaves the queue and is never proposed again."""
    pair = get_pair(user, pair.pk)
    _require_analyst(user)
    pair = CandidatePair.objects.select_for_update().select_related("person_a", "person_b").get(pk=pair.pk)
    _require_own_record(user, pair)
    if pair.status != CandidatePair.Status.OPEN:
        raise MatchingError(_("This candidate match was already decided (%(status)s).") % {"status": pair.get_status_display()})
    pair.status, pair.decided_by, pair.decided_at, pair.note = CandidatePair.Status.REJECTED, user, timezone.now(), note.strip()
    pair.save(update_fields=["status", "decided_by", "decided_at", "note", "updated_at"])
    PairDecision.objects.create(pair=pair, kind=PairDecision.Kind.REJECTED, by=user, note=pair.note)
    _audit_pair(AuditEntry.Action.MATCH_REJECT, user, pair)
    return pair


def visible_members(user, entity):
    """The current members of ``entity`` that ``user`` may see."""
    from liaison.registry.models import Person

    return EntityMember.objects.filter(
        entity=entity, removed_at__isnull=True, person__in=Person.objects.visible_to(user).values("pk"))


def get_entity(user, pk):
    """The cluster if ``user`` may see at least two of its current members, else NotFound.

    With one visible member the page would only say that some record the
    user cannot see describes the same person: that is itself a leak."""
    # ASCII digits only: str.isdigit() accepts "²", which int() refuses (a 500).
    entity = Entity.objects.filter(pk=int(pk)).first() if re.fullmatch(r"[0-9]{1,18}", str(pk)) else None
    judgeable = judgeable_persons(user).values("pk")
    if entity is None or visible_members(user, entity).filter(person__in=judgeable).count() < 2:
        raise NotFound(_("No such identity cluster."))
    return entity


def get_member(user, pk):
    """A cluster membership (current or past) of a person ``user`` may judge, else NotFound."""
    member = None
    if re.fullmatch(r"[0-9]{1,18}", str(pk)):
        member = EntityMember.objects.filter(pk=int(pk), person__in=judgeable_persons(user).values("pk")).first()
    if member is None:
        raise NotFound(_("No such identity cluster."))
    return member


def may_split(user, member):
    """Whether ``user`` may take ``member`` out of its cluster: an editor of the agency holding
    the record, or of an agency holding one of the two records of the pair that merged it in
    (who could take that decision may undo it). Other agencies' merges are theirs to undo."""
    agency = getattr(user, "agency_id", None)
    if not getattr(user, "can_edit", False) or agency is None:
        return False
    if member.person.owner_id == agency:
        return True
    pair = member.pair
    return pair is not None and agency in (pair.person_a.owner_id, pair.person_b.owner_id)


@transaction.atomic
def split(user, member, note=""):
    """Take one person out of its identity cluster (undo a merge). The membership is
    closed, not deleted; the pairs that merged it go back to the queue, so the
    analyst can decide them again. A cluster left with one person is closed too."""
    # Visibility first: whatever else is wrong, a cluster or member the user
    # cannot judge is "not found", never a message naming the cluster.
    member = get_member(user, member.pk)
    get_entity(user, member.entity_id)  # the cluster as the user sees it: at least two members
    _require_analyst(user)
    member = (EntityMember.objects.select_for_update(of=("self",))
              .select_related("person", "entity", "pair__person_a", "pair__person_b").get(pk=member.pk))
    if member.removed_at is not None:
        raise MatchingError(_("This person was already taken out of the cluster."))
    if not may_split(user, member):
        raise NotAllowed(_("Only the agency holding this record can take it out of the cluster, "
                           "or an agency holding one of the two records of the match that merged it."))
    now = timezone.now()
    reason = note.strip() or _("Merge undone")
    others = list(EntityMember.objects.select_for_update().filter(
        entity=member.entity, removed_at__isnull=True).exclude(pk=member.pk))
    member.removed_at, member.removed_by, member.removal_reason = now, user, reason
    member.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    other_ids = [m.person_id for m in others]
    reopened = CandidatePair.objects.filter(status=CandidatePair.Status.MERGED).filter(
        Q(person_a_id=member.person_id, person_b_id__in=other_ids) | Q(person_b_id=member.person_id, person_a_id__in=other_ids))
    reopened_pairs = list(reopened.select_related("person_a", "person_b"))
    reopened.update(status=CandidatePair.Status.OPEN, decided_by=None, decided_at=None, note="", updated_at=now)
    PairDecision.objects.bulk_create([PairDecision(pair=p, kind=PairDecision.Kind.REOPENED, by=user, note=reason)
                                      for p in reopened_pairs])
    if len(others) == 1:
        last = others[0]
        last.removed_at, last.removed_by, last.removal_reason = now, user, reason
        last.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    # For the administrators of the agency holding the record: only pairs with its own records
    # (a pair with another agency's record would tell of a record they may not see).
    own = member.person.owner_id
    detail = {"reopened_pairs": [p.pk for p in reopened_pairs if p.person_a.owner_id == own and p.person_b.owner_id == own]}
    audit.record(AuditEntry.Action.SPLIT, user, member.person, entity=member.entity_id,
                 **{k: v for k, v in detail.items() if v})
    return member


# Hit notices: request for details ------------------------------------------

@transaction.atomic
def request_details(user, notice):
    """The liaison officer of the matched or watchlisting agency asks the other agency
    for details: a draft ``hit_details`` request (requests app). Idempotent."""
    notice = get_notice(user, notice.pk)
    if not getattr(user, "can_share", False):
        raise NotAllowed(_("Only liaison officers can ask another agency for details."))
    notice = HitNotice.objects.select_for_update().select_related("watched_agency", "matched_agency").get(pk=notice.pk)
    own_id, other, role = notice.side(user.agency_id)
    if visible_request(user, notice) is not None:
        return notice  # this side already asked (a request deleted since may be asked again)
    create_request = _requests_api("services", "create_request")
    if create_request is None:
        raise MatchingError(_("Requests between agencies are not available on this installation yet."))
    from liaison.registry.models import Person

    own = Person.objects.get(pk=own_id)
    values = {"id": notice.pk, "band": notice.get_band_display()}
    questions = _("Our record matched one of your records (watchlist hit notice #%(id)s: %(band)s). "
                  "Please tell us who it is and what you can share.") % values
    try:
        request = create_request(
            user, kind="hit_details", to_agency=other,
            title=_("Details after a watchlist hit (notice #%(id)s: %(band)s)") % values,
            body=questions, persons=(own,), fields={"hit_reference": f"HIT-{notice.pk}", "questions": questions},
        )
    except _requests_api("services", "RequestError") as exc:  # its messages are written for officers
        raise MatchingError(str(exc)) from exc
    setattr(notice, f"{role}_request_id", getattr(request, "pk", None))
    setattr(notice, f"{role}_requested_at", timezone.now())
    notice.save(update_fields=[f"{role}_request_id", f"{role}_requested_at", "updated_at"])
    return notice


def visible_request(user, notice):
    """The request for details of the user's side of ``notice``, if the user may see it; else None."""
    request_id, _at = notice.request_of(getattr(user, "agency_id", None))
    if request_id is None:
        return None
    try:
        from liaison.requests.models import Request
    except ImportError:
        return None
    return Request.objects.visible_to(user).filter(pk=request_id).first()
