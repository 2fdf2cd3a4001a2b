"""/federation/ask/: an officer asks the other nodes "do you hold this person?" (``remote_match.ask``)."""
from django.shortcuts import render
from django.utils.translation import gettext as _

from liaison.federation import remote_match
from liaison.federation.nodes import FederationError, enabled, home_of, peers, self_name
from liaison.matching.display import FIELD_LABELS
from liaison.screening import services as screening
from liaison.screening.forms import TravellerForm
from liaison.screening.manifest import check_traveller
from liaison.web.views.common import web_view


@web_view
def ask(request):
    """The checkpoint form of border screening, sent to the other nodes: for each, hit or no hit and,
    for a hit, the agency to contact, the band and the reference to quote."""
    user = request.user
    if not screening.may_screen(user) or not enabled() or home_of(user.agency_id) != self_name():
        return render(request, "web/forbidden.html", {"reason": _(
            "Your account cannot ask other nodes. Ask your agency administrator for the analyst, liaison officer "
            "or border screening role.")}, status=403)
    form = TravellerForm(request.POST or None)
    form.fields.pop("place")
    rows, problems = None, []
    if request.method == "POST" and form.is_valid():
        traveller, problems = check_traveller(form.values())
        if not problems:
            person = {k: v for k, v in traveller.as_dict().items() if k != "line"}
            try:
                results = remote_match.ask(user.agency, person, officer=user.get_full_name() or user.get_username(),
                                           user=user)
            except FederationError as exc:
                problems = [str(exc)]
            else:
                rows = [{"node": node, "error": error, "hit": bool(answer and answer.get("hit")),
                         "hits": [{**h, "fields": [str(FIELD_LABELS.get(f, f)) for f in h.get("fields_agreed") or []]}
                                  for h in (answer or {}).get("hits") or []]}
                        for node, answer, error in results]
    return render(request, "federation/ask.html", {"form": form, "rows": rows, "problems": problems,
                                                   "peers": list(peers().values_list("name", flat=True))})
