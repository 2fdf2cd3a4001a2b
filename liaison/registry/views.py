"""Registry pages: bulk import of person lists.

Two steps, so nothing is written before the officer has seen the report:
upload → dry-run report (every bad row with its line, or a preview), then
confirm → a background job (liaison/tasks) validates the same bytes again and
imports them, all or nothing, while the officer's page shows its progress.
Between the steps the file waits in a private staging directory under a name
made of the user's id and the file's SHA-256, never in the session (a list of
hundreds of passports does not belong in a cookie-keyed table read on every
request), and is deleted once imported or after a day.
"""
import hashlib
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_countries import countries

from liaison.registry import importer
from liaison.registry.forms import MAX_IMPORT_BYTES, ImportUploadForm
from liaison.registry.models import Person, PersonStatus

SESSION_KEY = "registry_import"
STAGING_MAX_AGE = 24 * 3600
PREVIEW_ROWS = 10


def staging_dir():
    path = Path(getattr(settings, "LIAISON_IMPORT_STAGING_DIR", None) or Path(settings.VAR_DIR) / "import-staging")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def staged_path(user_id, sha):
    """Where an upload waits between the dry run and the import job (which reads it:
    a worker on another machine needs this directory on shared storage)."""
    return staging_dir() / f"{user_id}-{sha}.upload"


def _staged_path(user, sha):
    return staged_path(user.pk, sha)


def _clean_stale():
    limit = time.time() - STAGING_MAX_AGE
    for path in staging_dir().glob("*.upload"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _denied(request):
    return render(request, "registry/import_denied.html", status=403)


def _preview(rows):
    """The first rows with labels in the officer's language instead of stored codes."""
    sexes, statuses = dict(Person.Sex.choices), dict(PersonStatus.Status.choices)
    return [
        {
            "row": row, "sex": sexes.get(row.sex, ""), "status": statuses.get(row.status, ""),
            "nationalities": ", ".join(str(countries.name(code)) for code in row.nationalities),
            "status_country": countries.name(row.status_country) if row.status_country else "",
        }
        for row in rows[:PREVIEW_ROWS]
    ]


def _report_context(report, pending=None):
    return {"report": report, "preview": _preview(report.rows), "pending": pending}


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    if not request.user.can_edit:
        return _denied(request)
    if request.method == "GET":
        return render(request, "registry/import_upload.html", {"form": ImportUploadForm(user=request.user)})

    form = ImportUploadForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return render(request, "registry/import_upload.html", {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read(MAX_IMPORT_BYTES + 1)
    report = importer.validate(data, upload.name)
    if report.ok:
        earlier = importer.previous_import(report, request.user.agency)
        if earlier is not None:
            report.errors.append(
                _("Your agency already imported these rows on %(date)s (source “%(title)s”); importing them again would "
                  "create duplicates.") % {"date": earlier.created_at.date().isoformat(), "title": earlier.title}
            )
    pending = None
    if report.ok:
        _clean_stale()
        sha = hashlib.sha256(data).hexdigest()
        _staged_path(request.user, sha).write_bytes(data)
        pending = {
            "nonce": secrets.token_hex(8), "sha": sha, "filename": upload.name, "distribution": form.cleaned_data["distribution"],
            "tlp": form.cleaned_data["tlp"], "share_with": [a.pk for a in form.cleaned_data["share_with"]],
        }
        request.session[SESSION_KEY] = pending
    context = {"form": ImportUploadForm(user=request.user), **_report_context(report, pending)}
    return render(request, "registry/import_report.html", context, status=200 if report.ok else 422)


@login_required
@require_POST
def import_confirm(request):
    if not request.user.can_edit:
        return _denied(request)
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("sha") != request.POST.get("sha"):
        messages.error(request, _("That upload is no longer waiting to be imported. Upload the file again."))
        return redirect("registry:import")
    path = _staged_path(request.user, pending["sha"])
    data = path.read_bytes() if path.exists() else b""
    if hashlib.sha256(data).hexdigest() != pending["sha"]:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, _("The uploaded file expired after a day. Upload it again."))
        return redirect("registry:import")

    # The import runs as a background job (liaison/tasks): the page answers at once and
    # shows its progress. The job re-checks the staged bytes, imports all or nothing,
    # and deletes the staged file. The key is the upload's: a double submit of this
    # form finds the same job instead of starting a second one.
    from liaison.tasks import services as jobs
    from liaison.tasks import tasks as job_tasks
    from liaison.tasks.models import TaskRun

    run, _created = jobs.start(
        TaskRun.Kind.IMPORT_PERSONS, f"import:{request.user.pk}:{pending.get('nonce') or pending['sha']}",
        job_tasks.import_persons, agency=request.user.agency, user=request.user,
        params={"sha": pending["sha"], "filename": pending["filename"], "distribution": pending["distribution"],
                "tlp": pending["tlp"], "share_with": pending["share_with"]})
    request.session.pop(SESSION_KEY, None)
    return redirect("tasks:run", pk=run.pk)
