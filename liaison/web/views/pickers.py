"""The JSON answer behind the searchable pickers (``web/picker.js``).

Another way into the registry, so it follows the registry's rules
(``liaison.web.pickers``): results come only from ``visible_to(user)``, a
withheld identity is never matched by a name and is labelled "Protected
identity #id", persons sort by ``sort_name``, and at most ``LIMIT`` options
come back. "Nothing matches" and "nothing you may see matches" are the same
answer: ``{"results": []}``.
"""
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from liaison.web import pickers

# Longer queries say nothing more and cost more to match.
MAX_QUERY = 100


@never_cache
@login_required
@require_GET
def pick(request, kind):
    source = pickers.SOURCES.get(kind)
    if source is None:
        raise Http404
    # NUL is no character of any name or identifier, and PostgreSQL refuses it
    # in a text parameter (a 500): dropped, like any other character matching nothing.
    query = request.GET.get("q", "").replace("\x00", "")[:MAX_QUERY]
    options = source.search(request.user, query, pickers.LIMIT)
    return JsonResponse({"results": [option.as_json() for option in options[: pickers.LIMIT]]})
