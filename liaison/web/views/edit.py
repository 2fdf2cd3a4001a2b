"""Creating and changing records. Only users who may edit see these pages; only
the owner agency may change a record; every write is one transaction, so a
person is never saved without the names typed with it.
"""
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.operations.models import Case, Event, Operation
from liaison.registry.models import Citation, Identifier, Organisation, Person, Relationship, Site, Source
from liaison.sharing import services
from liaison.tasks import once
from liaison.web import forms as f

from .common import MODELS, NotVisible, get_editable, get_visible, require_editor, url_for, web_view


class EditSpec:
    def __init__(self, model, form, formsets=(), noun=""):
        self.model, self.form, self.formsets, self.noun = model, form, formsets, noun


EDITABLE = {
    "persons": EditSpec(Person, f.PersonForm, [("names", f.NameFormSet, gettext_lazy("Names")),
                                                ("nationalities", f.NationalityFormSet, gettext_lazy("Nationalities"))],
                        gettext_lazy("person")),
    "organisations": EditSpec(Organisation, f.OrganisationForm, noun=gettext_lazy("organisation")),
    "sites": EditSpec(Site, f.SiteForm, noun=gettext_lazy("site")),
    "identifiers": EditSpec(Identifier, f.IdentifierForm, noun=gettext_lazy("identifier")),
    "operations": EditSpec(Operation, f.OperationForm, [("phases", f.PhaseFormSet, gettext_lazy("Phases"))],
                           gettext_lazy("operation")),
    "cases": EditSpec(Case, f.CaseForm, noun=gettext_lazy("case")),
    "events": EditSpec(Event, f.EventForm, [("figures", f.FigureFormSet, gettext_lazy("Figures"))], gettext_lazy("event")),
    "sources": EditSpec(Source, f.SourceForm, noun=gettext_lazy("source")),
}


@web_view
def edit(request, slug, pk=None):
    spec = EDITABLE[slug]
    user = request.user
    if pk is None:
        require_editor(user)
        instance = spec.model(owner_id=user.agency_id, created_by=user)
    else:
        instance = get_editable(spec.model.objects.all(), user, pk)
    data = request.POST if request.method == "POST" else None
    form = spec.form(data, instance=instance, user=user)
    if pk is None:
        once.add_token(form)  # a second POST of this form opens the first record (tasks/once.py)
    formsets = [(label, cls(data, instance=instance, prefix=prefix)) for prefix, cls, label in spec.formsets]
    repeated = once.previous(request) if pk is None and data is not None else None
    if repeated is not None:
        # Sent again after the first one was saved: not "a possible duplicate", the same form.
        return repeated.redirect(request)
    valid = data is not None and form.is_valid() and all(fs.is_valid() for _label, fs in formsets)
    duplicates = []
    if valid and pk is None and slug == "persons" and not data.get("save_anyway"):
        duplicates = _possible_duplicates(user, form, formsets)
    if valid and not duplicates:
        try:
            with transaction.atomic():
                claim = once.claim(request) if pk is None else None
                if claim is not None and claim.repeated:
                    return claim.redirect(request)
                if pk is not None:
                    # A changed marking takes the marking action's path: role check, TLP rules, audit entry.
                    changes = form.marking_changes()
                    if changes:
                        services.set_marking(user, instance, **changes)
                record = form.save()
                for _label, fs in formsets:
                    fs.instance = record
                    fs.save()
                if pk is None:
                    services.audit_initial_marking(user, record)
                    claim.done(url_for(record))
        except (PermissionError, services.SharingError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect(url_for(record))
    return render(request, "web/form.html", {
        "form": form, "formsets": formsets, "slug": slug, "record": instance if pk else None,
        "title": (_("Change %(what)s") if pk else _("New %(what)s")) % {"what": spec.noun},
        "formsets_invalid": data is not None and not all(fs.is_valid() for _label, fs in formsets),
        "cancel_url": url_for(instance) if pk else reverse("web:list", args=[slug]),
        "duplicates": duplicates,
    })


def _possible_duplicates(user, form, formsets):
    """Persons the user can already see and read that the matcher takes for the one typed in:
    shown before saving, with "Save anyway", so the same person is not entered twice."""
    from liaison.matching.services import possible_duplicates

    forms = {fs.prefix: fs.forms for _label, fs in formsets}
    kept = {prefix: [f.cleaned_data for f in rows if f.cleaned_data and not f.cleaned_data.get("DELETE")]
            for prefix, rows in forms.items()}
    return possible_duplicates(
        user, names=[row.get("full_name", "") for row in kept.get("names", [])],
        birth_date=form.cleaned_data.get("birth_date") or "", sex=form.cleaned_data.get("sex") or "",
        countries=[row["country"].pk for row in kept.get("nationalities", []) if row.get("country")],
    )


def _anchor(request, slug, pk):
    model = MODELS.get(slug)
    if model is None:
        raise NotVisible()
    return get_visible(model.objects.all(), request.user, pk)


@web_view
def new_relationship(request, slug, pk):
    require_editor(request.user)
    anchor = _anchor(request, slug, pk)
    instance = Relationship(owner_id=request.user.agency_id, created_by=request.user)
    form = f.RelationshipForm(request.POST or None, instance=instance, user=request.user, anchor=anchor)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            services.audit_initial_marking(request.user, form.save())
        messages.success(request, _("Relationship added."))
        return redirect(url_for(anchor))
    return render(request, "web/form.html", {
        "form": form, "formsets": [], "anchor": anchor, "title": _("Link to another record"), "cancel_url": url_for(anchor),
    })


@web_view
def new_citation(request, slug, pk):
    """Cite a visible source on a record. Citations change what the record claims
    to rest on, so, like any change, only the owner agency may add them."""
    anchor = _anchor(request, slug, pk)
    get_editable(type(anchor).objects.all(), request.user, anchor.pk)
    instance = Citation(record=anchor)
    form = f.CitationForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("Citation added."))
        return redirect(url_for(anchor))
    return render(request, "web/form.html", {
        "form": form, "formsets": [], "anchor": anchor, "title": _("Add a citation"), "cancel_url": url_for(anchor),
    })
