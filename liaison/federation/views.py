"""The federation inbox (a TAXII 2.1 collection only peers write to) and the exchange log page."""
import logging
import uuid

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from liaison.federation import services
from liaison.federation.models import ExchangeEntry
from liaison.sharing.models import Role

log = logging.getLogger("liaison.federation")


def _taxii(payload, status):
    response = JsonResponse(payload, status=status)
    response["Content-Type"] = services.TAXII_MEDIA_TYPE
    return response


@csrf_exempt
@require_POST
def inbox(request, collection_id):
    """TAXII 2.1 "add objects" for peers: no session or token, the Ed25519 signature of the body
    (``X-Liaison-Signature``) by the node named in ``X-Liaison-Node`` is the authentication."""
    if not services.enabled() or str(collection_id) != services.INBOX_COLLECTION:
        return _taxii({"title": _("No such collection."), "http_status": "404"}, 404)
    try:
        results = services.receive_envelope(request.headers.get("X-Liaison-Node", ""),
                                            request.headers.get("X-Liaison-Signature", ""), request.body)
    except services.FederationError as exc:
        return _taxii({"title": str(exc), "http_status": str(exc.status)}, exc.status)
    # A TAXII status resource, one entry per delivery: applied or applied before (successes), refused
    # (failures: the sender logs them and goes on), or to be sent again later (pendings: 409, something
    # this node must fix first).
    successes, failures, pendings = [], [], []
    for control, status, error in results:
        detail = {"id": str(control.get("id", "")), "version": str(control.get("modified", ""))}
        if error is None:
            successes.append({**detail, "message": status})
        elif error.status in services.RETRY_STATUSES:
            pendings.append({**detail, "message": str(error), "liaison_http_status": error.status})
        else:
            failures.append({**detail, "message": str(error), "liaison_http_status": error.status})
    payload = {"id": str(uuid.uuid4()), "status": "complete" if not pendings else "pending",
               "total_count": len(results), "success_count": len(successes), "successes": successes,
               "failure_count": len(failures), "failures": failures, "pending_count": len(pendings), "pendings": pendings}
    if len(results) == 1:
        # An envelope of one delivery answers as before: its status, or its refusal as the HTTP status.
        control, status, error = results[0]
        if error is not None:
            return _taxii({"title": str(error), "http_status": str(error.status)}, error.status)
        payload["liaison_status"] = status
    return _taxii(payload, 202)


@login_required
def exchange_log(request):
    """What was sent to and received from other nodes about the agency's records, or for the agency,
    newest first: agency administrators only, their agency's entries only."""
    user = request.user
    if not (user.agency_id and user.has_role(Role.AGENCY_ADMIN)):
        raise Http404
    entries = (ExchangeEntry.objects.filter(Q(owner_id=user.agency_id) | Q(recipients=user.agency_id))
               .distinct().select_related("peer", "owner").prefetch_related("recipients").order_by("-id"))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page:
        # Only the owner agency sees who else a record went to (as on the sharing page).
        entry.shown_recipients = [a for a in entry.recipients.all()
                                  if entry.owner_id == user.agency_id or a.pk == user.agency_id]
    return render(request, "federation/log.html", {"page": page})
