"""``POST /taxii2/federation/match/``: a peer asks "do you hold this person?" (``remote_match``)."""
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from liaison.federation import remote_match
from liaison.federation.nodes import FederationError, enabled


@csrf_exempt
@require_POST
def match(request):
    """No session or token: the Ed25519 signature of the body by the node named in ``X-Liaison-Node``
    is the authentication, as for the inbox."""
    if not enabled():
        return JsonResponse({"title": _("This node takes no questions from other nodes.")}, status=404)
    try:
        answer = remote_match.answer(request.headers.get("X-Liaison-Node", ""),
                                     request.headers.get("X-Liaison-Signature", ""), request.body)
    except FederationError as exc:
        return JsonResponse({"title": str(exc), "http_status": str(exc.status)}, status=exc.status)
    return JsonResponse(answer)
