"""Matching across nodes without moving data (issue 16): "do you hold this person?".

The asking node (``ask``) sends its peers a question signed like the envelopes (Ed25519 over the
exact bytes, ``X-Liaison-Node``/``X-Liaison-Signature``): which agency of its own asks, which
officer, and the person (names, date of birth, nationality, document, sex). The asked node
(``answer``, at ``POST /taxii2/federation/match/``) screens it exactly as a traveller at a border
post is screened (``liaison.screening.services.find``: the same keys, the same matcher, against the
persons their owner agencies put on a watchlist, never a protected identity or a retracted record),
so an agency that keeps a record off its watchlist never answers, whatever it holds: the answer does
not depend, in content, count or statements run, on records the asking agency may not be told of.

The answer is hit or no hit; for a hit, per agency of the asked node: the agency to contact, the
band ("strong" or "possible" match: the score itself is never given, as for watchlist hits, whose
fourth digit told a prober whether its guess of a passport number was right), the fields that
agreed and a reference to quote (``SCR-``...), never the record. The asked node records the
question as a screening run of the asking agency (``Screening``, ``ScreeningHit``: the owner's hit
page shows the person as asked), audits it, counts hits against the day's screening limit between
the two agencies (past it: "no hit" to the asker, still told to the owner) and sends the owning
agency a hit notice. A question asked again with the same id (a retry) gets the same answer and
makes no second hit (``RemoteMatchQuery``).
"""
import json
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.federation import keys
from liaison.federation.models import RemoteMatchQuery
from liaison.federation.nodes import FederationError, home_of, peers, self_name, verified_peer

log = logging.getLogger("liaison.federation")

MATCH_PATH = "/taxii2/federation/match/"


def _clean_person(person):
    """The person asked about as a screening ``Traveller``, checked as a checkpoint's traveller is
    (``screening.manifest.check_traveller``: names, date of birth, nationality, document, sex)."""
    from liaison.screening.manifest import check_traveller

    if not isinstance(person, dict):
        raise FederationError(_("The question names no person."))
    traveller, problems = check_traveller({k: person.get(k) for k in
                                           ("names", "birth_date", "nationality", "document", "sex")})
    if problems:
        raise FederationError("; ".join(str(p) for p in problems))
    return traveller


# The asked node ----------------------------------------------------------------------------------

def answer(node_name, signature, body):
    """Answer a signed question from peer ``node_name``; returns the answer (a dict), or raises
    FederationError (401 bad signature, 403 an agency the peer does not home, 400 a bad question)."""
    from liaison.sharing.models import Agency

    peer = verified_peer(node_name, signature, body, "a match question")
    try:
        question = json.loads(body)
        query_id = uuid.UUID(str(question["query_id"]))
    except (ValueError, KeyError, TypeError):
        raise FederationError(_("The body is not a question.")) from None
    if question.get("from") != peer.name or question.get("to") != self_name():
        raise FederationError(_("The question is addressed from or to another node."), status=403)
    agency = Agency.objects.filter(short_name=str(question.get("agency") or "")).first()
    if agency is None or home_of(agency.pk) != peer.name:
        raise FederationError(_("The agency %(agency)s is not homed on node %(node)s.")
                              % {"agency": question.get("agency") or "?", "node": peer.name}, status=403)
    traveller = _clean_person(question.get("person"))
    officer = str(question.get("officer") or "")[:150]
    with transaction.atomic():
        asked = RemoteMatchQuery.objects.select_for_update().filter(
            direction=RemoteMatchQuery.Direction.IN, peer=peer, query_id=query_id).first()
        if asked is not None:
            if asked.agency_id != agency.pk:
                raise FederationError(_("This question id was used by another agency."), status=403)
            return asked.answer  # a retry: the same answer, no second hit
        result = _screen(peer, agency, officer, traveller, query_id)
        RemoteMatchQuery.objects.create(direction=RemoteMatchQuery.Direction.IN, peer=peer, query_id=query_id,
                                        agency=agency, officer=officer, answer=result)
    return result


def _screen(peer, agency, officer, traveller, query_id):
    from liaison.audit import log as audit
    from liaison.audit.models import AuditEntry
    from liaison.screening import services as screening
    from liaison.screening.models import Screening, ScreeningHit

    # Only agencies homed here answer: a copy of another node's record is that node's to answer for.
    found = [f for f in screening.find([traveller])[0] if home_of(f.agency_id) == self_name()]
    place = _("Liaison node %(node)s") % {"node": peer.name}
    run = Screening.objects.create(user=None, agency=agency, kind=Screening.Kind.API, place=place, travellers=1)
    book = screening._ProbeBook(agency.pk, {f.agency_id for f in found})
    made, shown = [], []
    for f in found:
        withheld = not book.allow(f.agency_id)
        hit = ScreeningHit.objects.create(
            screening=run, line=1, watched_id=f.person_id, watched_agency_id=f.agency_id, score=f.probability,
            band=screening.band_of(f.probability), fields_agreed=screening.fields_agreed(f.fields),
            traveller=traveller.as_dict(), withheld=withheld)
        made.append(hit)
        if not withheld:
            shown.append(hit)
    run.hits = len(shown)
    run.results = [{**traveller.as_dict(), "hits": [h.reference for h in shown]}]
    run.save(update_fields=["hits", "results"])
    for hit in made:
        _announce(hit, run, peer, agency, officer)
    audit.record(AuditEntry.Action.SCREENING, None, run, owner_agency=agency, kind="federation", node=peer.name,
                 officer=officer, question=str(query_id), travellers=1, hits=len(shown),
                 references=[h.reference for h in shown])
    by_pk = {}
    for hit in shown:
        by_pk.setdefault(hit.watched_agency_id, hit)
    from liaison.sharing.models import Agency

    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=by_pk)}
    return {"query_id": str(query_id), "node": self_name(), "hit": bool(shown),
            "hits": [{"agency": agencies[h.watched_agency_id].short_name, "agency_name": agencies[h.watched_agency_id].name,
                      "band": h.band, "reference": h.reference, "fields_agreed": h.fields_agreed} for h in shown]}


def _announce(hit, run, peer, agency, officer):
    """Audit the hit in the watching agency's trail and send it the hit notice (who asked, through which
    node): screening's notice (``announce_hit``), in the words of a question from another node."""
    from liaison.screening.services import announce_hit

    announce_hit(
        hit, run, user=None, screened_by=agency.short_name, detail={"node": peer.name, "officer": officer},
        values=lambda: {"agency": agency.short_name, "node": peer.name, "officer": officer or _("an officer")},
        title=gettext_lazy("Hit %(reference)s: %(agency)s (node %(node)s) asked about a person matching your "
                           "watchlisted record (%(band)s)"),
        body=gettext_lazy("Asked by %(officer)s of %(agency)s through node %(node)s, %(when)s. Open the hit to see "
                          "your record and the person as asked. %(agency)s was told only to contact your agency and "
                          "to quote %(reference)s."),
        withheld=gettext_lazy("This hit was not shown to %(agency)s: it reached today's limit of hits on your "
                              "watchlist. Contact them if the person must be stopped."))


# The asking node ---------------------------------------------------------------------------------

def match_url(peer):
    return peer.base_url.rstrip("/") + MATCH_PATH


def ask(agency, person, *, officer="", user=None, peer_names=None, session=None):
    """Ask each peer (or those named) whether it holds ``person`` (a dict: names, birth_date, nationality,
    document, sex) for ``agency`` (homed here). Returns ``[(peer name, answer dict or None, error text)]``.

    Each question has its own id; a network failure is retried once with the very same signed bytes
    (the peer answers a repeat with its first answer). Audited in the asking agency's trail."""
    import requests as http

    from liaison.audit import log as audit
    from liaison.audit.models import AuditEntry

    if home_of(agency.pk) != self_name():
        raise FederationError(_("Only an agency homed on this node can ask from it."), status=403)
    traveller = _clean_person(person)
    session = session or http.Session()
    chosen = list(peers().filter(name__in=peer_names) if peer_names else peers())
    results = []
    for peer in chosen:
        query_id = uuid.uuid4()
        body = json.dumps({"query_id": str(query_id), "from": self_name(), "to": peer.name,
                           "agency": agency.short_name, "officer": officer,
                           "person": {k: v for k, v in traveller.as_dict().items() if k != "line"}},
                          ensure_ascii=False, sort_keys=True).encode()
        headers = {"Content-Type": "application/json", "X-Liaison-Node": self_name(),
                   "X-Liaison-Signature": keys.sign(settings.FEDERATION_PRIVATE_KEY, body)}
        found, error = None, ""
        for _attempt in range(2):
            try:
                response = session.post(match_url(peer), data=body, headers=headers,
                                        timeout=getattr(settings, "FEDERATION_TIMEOUT", 10))
            except http.RequestException as exc:
                error = _("Node %(node)s did not answer: %(error)s") % {"node": peer.name, "error": str(exc)[:200]}
                continue
            try:
                payload = response.json()
            except ValueError:
                payload = {}
            if response.status_code == 200 and isinstance(payload, dict) and "hits" in payload:
                found, error = payload, ""
            else:
                error = _("Node %(node)s refused the question: %(error)s") % {
                    "node": peer.name, "error": str(payload.get("title") if isinstance(payload, dict) else "")[:200]
                    or response.status_code}
            break
        if found is not None:
            RemoteMatchQuery.objects.create(direction=RemoteMatchQuery.Direction.OUT, peer=peer, query_id=query_id,
                                            agency=agency, officer=officer[:150], answer=found)
        results.append((peer.name, found, error))
    audit.record(AuditEntry.Action.SCREENING, user, None, owner_agency=agency, kind="federation_ask",
                 officer=officer, at=timezone.now().isoformat(), nodes=[name for name, _a, _e in results],
                 references=[h.get("reference") for _n, a, _e in results if a for h in a.get("hits") or []],
                 errors=[e for _n, _a, e in results if e])
    return results
