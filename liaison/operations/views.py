"""Published figures: what owners chose to make public, readable without an account.

Only events and operations whose owner set the distribution to "public" (which
requires TLP:CLEAR) appear, through the same visibility layer as everything
else, evaluated for an anonymous visitor.
"""
from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from django.shortcuts import render

from liaison.operations.models import Event, Figure, Operation


def published_figures(request):
    public = AnonymousUser()
    events = (
        Event.objects.visible_to(public)
        .select_related("operation", "phase", "from_country", "to_country")
        .prefetch_related(Prefetch("figures", queryset=Figure.objects.order_by("category")), "countries")
        .order_by("-date", "id")[:200]
    )
    operations = list(Operation.objects.visible_to(public).prefetch_related("countries").order_by("name"))
    # An event can be public while its operation is not: name only public operations.
    public_operations = {op.pk for op in operations}
    return render(
        request, "operations/published.html",
        {"events": events, "operations": operations, "public_operations": public_operations},
    )
