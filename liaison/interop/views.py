"""The interchange page: download an event, an operation or a source list as a STIX bundle,
a MISP event or FollowTheMoney entities (for an optional recipient agency), and import a
partner's file. For analysts and liaison officers; everything goes through the same export
and import functions as the commands, so the same onward rule (``onward.py``), audit and
all-or-nothing import apply."""
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from liaison.interop import ftm, misp, onward, stix
from liaison.interop.forms import FTM, MISP, STIX, ExportForm, ImportForm
from liaison.sharing.models import Role
from liaison.web.views.common import web_view

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
EXTENSIONS = {STIX: "stix.json", MISP: "misp.json", FTM: "ftm.jsonl"}
CONTENT_TYPES = {STIX: "application/stix+json;version=2.1", MISP: "application/json", FTM: "application/x-ndjson"}


def may_interchange(user):
    return user.is_active and user.agency_id is not None and user.has_role(Role.ANALYST, Role.LIAISON_OFFICER)


def _export(user, fmt, kind, record, recipient):
    """(file bytes, strictest TLP) of the export, or raises ``onward.Refused``-like ValueError."""
    description = f"{kind} {record.pk} (page)"
    if fmt == MISP:
        event, report = misp.export_event(user, record, recipient=recipient, description=description)
        return misp.export_json(event).encode(), report.strictest_tlp
    out = io.StringIO()
    selection = stix.selection_for(**{kind: record})
    if fmt == STIX:
        report = stix.export_bundle(user, out, recipient=recipient, selection=selection, description=description)
    else:
        report = ftm.export_entities(user, out, recipient=recipient, selection=selection, description=description)
    return out.getvalue().encode(), report.strictest_tlp


def _import(user, fmt, upload, list_name):
    """(counts as text, errors): the import's result, or the numbered problems (nothing imported)."""
    data = upload.read()
    try:
        if fmt == STIX:
            report = stix.import_bundle(user, data, name=upload.name)
            return _("%(created)d new records, %(updated)d updated, %(unchanged)d unchanged.") % {
                "created": sum(report.created.values()), "updated": sum(report.updated.values()),
                "unchanged": report.unchanged}, []
        if fmt == MISP:
            report = misp.import_event(user, data, filename=upload.name)
            return _("%(created)d new records.") % {"created": sum(report.created.values())}, []
        report = ftm.import_watchlist(user, data, filename=upload.name, list_name=list_name or upload.name)
        return _("%(n)d persons put on your agency's watchlist.") % {"n": report.persons}, []
    except (stix.StixImportError, misp.MispError, ftm.FtmError) as exc:
        return None, list(exc.errors)


@web_view
def page(request):
    if not may_interchange(request.user):
        return render(request, "web/forbidden.html", {"reason": _(
            "Only analysts and liaison officers of an agency export and import files.")}, status=403)
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    export_form = ExportForm(user, request.POST if action == "export" else None, prefix="export")
    import_form = ImportForm(request.POST if action == "import" else None,
                             request.FILES if action == "import" else None, prefix="import")
    refused, result, problems = None, None, []
    if action == "export" and export_form.is_valid():
        kind, record = export_form.record()
        recipient = export_form.cleaned_data["recipient"]
        fmt = export_form.cleaned_data["format"]
        refused = onward.refusal(record, onward.OnwardAudience(user, recipient))
        if refused is None:
            try:
                content, tlp = _export(user, fmt, kind, record, recipient)
            except misp.MispError as exc:
                refused = " ".join(exc.errors)
            else:
                response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
                # The file says its strictest marking in its name: FtM has no marking model.
                name = f"liaison-{kind}-{record.pk}-TLP-{tlp.replace('+', '-')}.{EXTENSIONS[fmt]}"
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
    elif action == "import" and import_form.is_valid():
        upload = import_form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            problems = [_("The file is larger than 10 MB: split it, or use the command line.")]
        else:
            result, problems = _import(user, import_form.cleaned_data["format"], upload,
                                       import_form.cleaned_data["list_name"])
    invalid = (action == "export" and export_form.errors) or (action == "import" and import_form.errors)
    status = 400 if refused or problems or invalid else 200
    return render(request, "interop/page.html", {"export_form": export_form, "import_form": import_form,
                                                 "refused": refused, "result": result, "problems": problems},
                  status=status)
