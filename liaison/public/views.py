"""Public pages (no login) and the officers' pages of the public side. Thin: forms
check, ``abuse`` guards, ``answers`` and ``services`` do the work."""
from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import abuse, answers, services
from .forms import CheckForm, MissingReportForm, ScamReportForm, StatusForm
from .lang import COUNTRY_OF_LANGUAGE, PUBLIC_LANGUAGES, public_page
from .models import PublicReport


def _hotlines(language):
    """Hotlines of the reader's likely country first, then the others configured."""
    from liaison.core.localefmt import country_name

    configured = getattr(settings, "PUBLIC_HOTLINES", {})
    first = COUNTRY_OF_LANGUAGE.get(language)
    order = ([first] if first in configured else []) + sorted(c for c in configured if c != first)
    return [{"country": code, "name": country_name(code, language) or code, "lines": configured[code]}
            for code in order]


def _render(request, template, context=None, status=200):
    context = {"languages": PUBLIC_LANGUAGES, "language": request.public_language,
               "hotlines": _hotlines(request.public_language), **(context or {})}
    return render(request, template, context, status=status)


def _limited(request, template, context):
    context = {**context, "limited": _("Too many tries from your connection. Wait a few minutes and try again.")}
    return _render(request, template, context, status=429)


@public_page
@require_http_methods(["GET"])
def home(request):
    return _render(request, "public/home.html", {"form": CheckForm()})


@public_page
@require_http_methods(["GET", "POST"])
def check(request):
    if request.method == "GET":
        return redirect("public:home")
    form = CheckForm(request.POST)
    if not abuse.allow_address(request, "check"):
        return _limited(request, "public/home.html", {"form": form})
    if not form.is_valid():
        return _render(request, "public/home.html", {"form": form}, status=400)
    data = answers.answer(form.cleaned_data["text"], request.public_language)
    for item in data["identifiers"]:
        if not abuse.hit("identifier", f"{item['kind']}:{item['value']}"):
            return _limited(request, "public/home.html", {"form": form})
    services.count("check_" + data["mode"], request.public_language)
    services.count_checked([(i["kind"], i["value"]) for i in data["identifiers"]])
    response = _render(request, "public/result.html", {"answer": data, "text": form.cleaned_data["text"],
                                                       "form": CheckForm()})
    response["Cache-Control"] = "no-store"
    return response


def _report(request, form_class, template, kind):
    language = request.public_language
    if request.method == "GET" or request.POST.get("prefill"):
        initial = {"checked_text": request.POST.get("text", "")[:answers.MAX_CHARS]} if request.method == "POST" else {}
        form = form_class(initial=initial, language=language)
        return _render(request, template, {"form": form, "challenge": abuse.new_challenge()})
    form = form_class(request.POST, request.FILES, language=language)
    if not abuse.allow_address(request, "report"):
        return _limited(request, template, {"form": form, "challenge": abuse.new_challenge()})
    if not form.is_valid():
        return _render(request, template, {"form": form, "challenge": abuse.new_challenge()}, status=400)
    data = dict(form.cleaned_data)
    for key in ("website", "challenge", "nonce"):
        data.pop(key, None)
    files = []
    if kind == PublicReport.Kind.SCAM:
        identifiers = data.pop("identifiers")
        files = [(f, False) for f in data.pop("files") or []]
    else:
        identifiers = []
        photo = data.pop("photo")
        if photo:
            files = [(photo, True)]
    report, code = services.submit_report(kind=kind, language=language, country=data.pop("country"),
                                          identifiers=identifiers, files=files, **data)
    response = _render(request, "public/sent.html", {"report": report, "code": code})
    response["Cache-Control"] = "no-store"
    return response


@public_page
@never_cache
@require_http_methods(["GET", "POST"])
def report_scam(request):
    return _report(request, ScamReportForm, "public/report_scam.html", PublicReport.Kind.SCAM)


@public_page
@never_cache
@require_http_methods(["GET", "POST"])
def report_missing(request):
    return _report(request, MissingReportForm, "public/report_missing.html", PublicReport.Kind.MISSING)


@public_page
@never_cache
@require_http_methods(["GET", "POST"])
def status(request):
    if request.method == "GET":
        return _render(request, "public/status.html", {"form": StatusForm()})
    form = StatusForm(request.POST)
    if not abuse.allow_address(request, "status"):
        return _limited(request, "public/status.html", {"form": form})
    report = None
    if form.is_valid():
        report = services.find_report(form.cleaned_data["reference"], form.cleaned_data["code"])
        if report is None:
            form.add_error(None, _("We found no report with this reference and code. Check both and try again."))
    if report is None:
        return _render(request, "public/status.html", {"form": form}, status=400)
    return _render(request, "public/status.html", {"form": StatusForm(), "report": report})
