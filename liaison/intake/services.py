"""Taking a document in and running its stages.

Storing comes first and is all-or-nothing: the bytes, the document row, its
stage rows and the audit entry commit together or not at all. Each later
stage runs in its own transaction and replaces its own outputs only, so a
stage can be run again at any time without duplicating anything; a stage that
fails records why, and the stages after it wait.
"""
import hashlib
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from liaison.audit import log as audit
from liaison.audit.models import AuditEntry
from liaison.partialdate import PartialDate, PartialDateError
from liaison.text import documents as docs

from . import facts
from .models import STAGE_ORDER, Document, ProposedFact, Stage, StageStatus

logger = logging.getLogger(__name__)
RUNNABLE = [Stage.TEXT, Stage.LANGUAGE, Stage.PROPOSE]
LOW_LANGUAGE_CONFIDENCE = 0.5


class IntakeError(ValueError):
    """Input refused before anything was stored; the message is for the officer."""


def translated(error):
    """A ``DocumentError``'s message in the officer's language (its template is marked for translation)."""
    template = getattr(error, "template", None)
    if template is None:
        return str(error)
    text = _(template)
    return text % error.params if error.params else text


@dataclass
class StoreResult:
    document: Document
    created: bool

    @property
    def message(self):
        if self.created:
            return _("Stored “%(title)s”.") % {"title": self.document}
        return already_known(self.document)


def already_known(document):
    return _("This document was already taken in on %(date)s as “%(title)s”.") % {
        "date": date_format(timezone.localtime(document.created_at), "DATE_FORMAT"), "title": document,
    }


def store(*, agency, user=None, data=None, text=None, filename="", source_kind=""):
    """Store an uploaded file (``data``) or pasted ``text`` for ``agency``; the same bytes twice are one document.

    Refuses (``IntakeError``, nothing stored) only what cannot be a document at
    all: no content, or more than the size limit. Anything else is stored and
    its text stage says what is wrong with it, so the officer sees which stage
    failed and why.
    """
    if text is not None:
        raw, kind = text.encode("utf-8"), Document.Kind.PASTED
    else:
        raw, kind = bytes(data or b""), ""
    try:
        docs.check_size(len(raw))
    except docs.DocumentError as exc:
        raise IntakeError(translated(exc)) from None
    if not raw.strip():
        raise IntakeError(_("The document is empty."))
    if not kind:
        try:
            kind = docs.detect_kind(filename, raw)
        except docs.DocumentError as exc:
            raise IntakeError(translated(exc)) from None
    filename = docs.normalise(filename or "").replace("\n", " ").strip()
    content_hash = hashlib.sha256(raw).hexdigest()
    existing = Document.objects.filter(owner=agency, content_hash=content_hash).defer("raw", "text").first()
    if existing is not None:
        return StoreResult(existing, False)
    first_line = next((line.strip() for line in docs.normalise(text or "").splitlines() if line.strip()), "")
    try:
        with transaction.atomic():
            document = Document.objects.create(
                owner=agency, uploaded_by=user if getattr(user, "pk", None) else None,
                title=(first_line or filename.rsplit("/", 1)[-1])[:200], original_filename=filename[:255], kind=kind,
                source_kind=source_kind or Document._meta.get_field("source_kind").default,
                content_hash=content_hash, size=len(raw), raw=raw,
            )
            StageStatus.objects.bulk_create([
                StageStatus(document=document, stage=stage,
                            state=StageStatus.State.OK if stage == Stage.STORED else StageStatus.State.PENDING,
                            attempt=1 if stage == Stage.STORED else 0,
                            started_at=timezone.now() if stage == Stage.STORED else None,
                            finished_at=timezone.now() if stage == Stage.STORED else None)
                for stage in STAGE_ORDER
            ])
            audit.record(AuditEntry.Action.INGEST, user, document, owner_agency=agency,
                         filename=filename, size=len(raw), sha256=content_hash)
    except IntegrityError:
        # The same document stored at the same moment by another request: that one wins.
        return StoreResult(Document.objects.get(owner=agency, content_hash=content_hash), False)
    return StoreResult(document, True)


# --- stages --------------------------------------------------------------------------------------

class StageFailed(Exception):
    """A stage's work failed; the message says why, for the officer."""


def _set_warnings(document, stage, messages):
    kept = [w for w in document.warnings or [] if w.get("stage") != stage]
    document.warnings = kept + [{"stage": str(stage), "message": str(m)} for m in messages]


def _stage_text(document, **_kwargs):
    raw = bytes(document.raw)
    try:
        if document.kind == Document.Kind.PASTED:
            result = docs.text_from_paste(raw.decode("utf-8"))
        else:
            result = docs.extract_text(raw, document.original_filename)
    except docs.DocumentError as exc:
        raise StageFailed(translated(exc)) from None
    document.text = result.text
    if result.title and (document.kind != Document.Kind.PASTED or not document.title):
        document.title = result.title[:200]
    _set_warnings(document, Stage.TEXT, [_(w) for w in result.warnings])
    document.save(update_fields=["text", "title", "warnings"])
    return _("%(n)s characters.") % {"n": f"{len(result.text):,}"}


def _detector():
    try:
        from liaison.text import detect_language
    except ImportError:  # the package's front door may not export it yet; the module is the same function
        from liaison.text.langid import detect_language
    return detect_language


def _stage_language(document, **_kwargs):
    try:
        detect = _detector()
    except ImportError:
        raise StageFailed(_("The language detector (liaison.text) is not installed.")) from None
    text = document.text
    code, confidence = detect(text)
    warnings = []
    if code is None:
        warnings.append(_("The language could not be recognised."))
    elif confidence is not None and confidence < LOW_LANGUAGE_CONFIDENCE:
        warnings.append(_("The language is uncertain (%(code)s, %(pct)s%% sure): the text may mix several "
                          "languages.") % {"code": code, "pct": round(confidence * 100)})
    if code and len(text) >= 400:
        # A report in one language quoting another has halves in different languages.
        half = len(text) // 2
        first, _c1 = detect(text[:half])
        second, _c2 = detect(text[half:])
        if first and second and first != second:
            warnings.append(_("The text mixes languages: %(a)s in its first half, %(b)s in its second.")
                            % {"a": first, "b": second})
    document.language = code or ""
    document.language_confidence = confidence
    _set_warnings(document, Stage.LANGUAGE, warnings)
    document.save(update_fields=["language", "language_confidence", "warnings"])
    return code or _("not recognised")


def _extractor():
    from liaison.text import extract_report

    return extract_report


def _same_fact(decided, proposal):
    return (decided.kind == proposal["kind"] and decided.original == proposal["data"]
            and decided.evidence_start == proposal["evidence_start"])


def _stage_propose(document, extractor=None, **_kwargs):
    """Replace the document's undecided proposals by the extractor's; decided ones stay, never proposed twice."""
    try:
        extract = extractor or _extractor()
    except ImportError:
        raise StageFailed(_("The fact extractor (liaison.text) is not installed.")) from None
    published = document.published or None
    report = extract(document.text, doc_id=str(document.pk), published=published, backend="rules")
    result = report.to_dict() if hasattr(report, "to_dict") else dict(report)
    # Offsets may live only on the event objects; the dict is what is stored.
    for raw_event, event in zip(result.get("events") or [], getattr(report, "events", []) or []):
        for name in ("evidence_start", "evidence_end", "confidence"):
            if raw_event.get(name) is None and getattr(event, name, None) is not None:
                raw_event[name] = getattr(event, name)
    found = facts.proposals_from_report(result)
    decided = list(document.proposals.exclude(status=ProposedFact.Status.PROPOSED))
    document.proposals.filter(status=ProposedFact.Status.PROPOSED).delete()
    new = []
    for position, proposal in enumerate(found):
        start, end = facts.locate(document.text, proposal["evidence"], proposal["evidence_start"],
                                  proposal["evidence_end"])
        proposal["evidence_start"], proposal["evidence_end"] = start, end
        if any(_same_fact(d, proposal) for d in decided):
            continue
        confidence = proposal.get("confidence")
        new.append(ProposedFact(
            document=document, kind=proposal["kind"], position=position, original=proposal["data"],
            data=proposal["data"], evidence=proposal["evidence"], evidence_start=start, evidence_end=end,
            confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
        ))
    ProposedFact.objects.bulk_create(new)
    published = result.get("published") or ""
    try:
        document.published = PartialDate.parse(published).isoformat() if published else document.published
    except PartialDateError:
        pass
    if result.get("language") and not document.language:
        document.language = result["language"]
    _set_warnings(document, Stage.PROPOSE, [str(w) for w in result.get("warnings") or []])
    document.save(update_fields=["published", "language", "warnings"])
    if not found:
        return _("No fact found in this text.")
    return _("%(n)s facts proposed.") % {"n": len(new)}


STAGE_WORK = {Stage.TEXT: _stage_text, Stage.LANGUAGE: _stage_language, Stage.PROPOSE: _stage_propose}


def _status(document, stage):
    status, _created = StageStatus.objects.get_or_create(document=document, stage=stage)
    return status


def run_stage(document, stage, *, extractor=None):
    """Run one stage in its own transaction; True if it succeeded. A failure is recorded, never raised."""
    status = _status(document, stage)
    status.attempt += 1
    status.started_at, status.finished_at = timezone.now(), None
    try:
        with transaction.atomic():
            message = STAGE_WORK[stage](document, extractor=extractor)
            status.state, status.message, status.finished_at = StageStatus.State.OK, str(message or ""), timezone.now()
            status.save()
        return True
    except StageFailed as exc:
        reason = str(exc)
    except Exception as exc:  # a bug in a library must not lose the document: record it, go on
        logger.exception("intake stage %s failed for document %s", stage, document.pk)
        reason = _("Unexpected error (%(error)s). The document is stored; run this stage again later.") % {
            "error": type(exc).__name__}
    document.refresh_from_db()
    status.state, status.message, status.finished_at = StageStatus.State.FAILED, reason, timezone.now()
    status.save()
    later = STAGE_ORDER[STAGE_ORDER.index(stage) + 1:]
    StageStatus.objects.filter(document=document, stage__in=later).update(
        state=StageStatus.State.PENDING, message=_("Waits for “%(stage)s”.") % {"stage": Stage(stage).label})
    return False


def refresh_review(document):
    """The review stage's state: done when every proposal is decided, else how many wait."""
    propose = _status(document, Stage.PROPOSE)
    review = _status(document, Stage.REVIEW)
    if propose.state != StageStatus.State.OK:
        return review
    counts = {s: 0 for s in ProposedFact.Status.values}
    for status in document.proposals.values_list("status", flat=True):
        counts[status] += 1
    waiting = counts[ProposedFact.Status.PROPOSED]
    if waiting:
        review.state = StageStatus.State.PENDING
        review.message = _("%(n)s of %(total)s facts wait for review.") % {"n": waiting, "total": sum(counts.values())}
    else:
        review.state = StageStatus.State.OK
        review.message = _("%(a)s accepted, %(r)s rejected.") % {
            "a": counts[ProposedFact.Status.ACCEPTED] + counts[ProposedFact.Status.EDITED],
            "r": counts[ProposedFact.Status.REJECTED]}
        review.finished_at = timezone.now()
    review.save()
    return review


def process(document, *, start=Stage.TEXT, extractor=None):
    """Run ``start`` and every later stage (they depend on it); stops at the first failure. True if all ran."""
    begin = RUNNABLE.index(start) if start in RUNNABLE else 0
    for stage in RUNNABLE[begin:]:
        if not run_stage(document, stage, extractor=extractor):
            return False
    refresh_review(document)
    return True


def failed_stage(document):
    """The first failed stage's status row, or None."""
    for status in sorted(document.stages.all(), key=lambda s: s.order):
        if status.state == StageStatus.State.FAILED:
            return status
    return None


# --- the stages as a background job (liaison.tasks) -----------------------------------------------

def _job_key(document, start):
    """One job per (document, first stage, how often that stage has run): a double click or a
    retried request finds the same job, while "Run again" after the stage ran makes a new one.
    A job that failed before running its stage (the queue refused it, the worker died) would
    keep the count where it was, so the failed ones count too: asking again starts afresh."""
    from liaison.tasks.models import TaskRun

    attempt = _status(document, start).attempt
    base = f"intake:{document.pk}:{start}:{attempt}:"
    failed = TaskRun.objects.filter(idempotency_key__startswith=base, state=TaskRun.State.FAILED).count()
    return f"{base}{failed}"


def start_stages(document, user=None, *, start=Stage.TEXT):
    """Queue the stages from ``start`` on as one job (``liaison.tasks.intake_stages``) after the
    commit; without a broker it runs now (tests, ``liaison ingest``) or in a thread (the demo).
    Returns ``(run, created)``; ``run`` is the job already asked for when ``created`` is False."""
    from liaison.tasks import services as jobs
    from liaison.tasks.models import TaskRun
    from liaison.tasks.tasks import intake_stages

    start = Stage(start)
    user = user if getattr(user, "pk", None) else None
    return jobs.start(TaskRun.Kind.INTAKE, _job_key(document, start), intake_stages, agency=document.owner,
                      user=user, params={"document": document.pk, "start": str(start)},
                      total=len(RUNNABLE) - RUNNABLE.index(start))


def active_run(document):
    """The document's job still waiting or running, or None (the document page shows its progress)."""
    from liaison.tasks.models import TaskRun

    return (TaskRun.objects.filter(idempotency_key__startswith=f"intake:{document.pk}:",
                                   state__in=[TaskRun.State.QUEUED, TaskRun.State.RUNNING])
            .order_by("-created_at", "-id").first())
