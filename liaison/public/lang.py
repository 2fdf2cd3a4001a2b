"""The language of the public pages.

Ten languages, whatever the officers' interface offers: chosen with ``?lang=``
(the switch on every page, kept in a cookie), else from the browser's
Accept-Language, else English. Django's LocaleMiddleware alone would refuse
Lao and Filipino until their catalogues exist (issue 14): it only activates a
language it has a catalogue for, and then the scam check would explain itself
in the wrong language. Strings without a translation yet show in English.
"""
from functools import wraps

from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

PUBLIC_LANGUAGES = [
    ("en", "English"), ("zh-hans", "简体中文"), ("th", "ไทย"), ("vi", "Tiếng Việt"), ("km", "ខ្មែរ"),
    ("lo", "ລາວ"), ("my", "မြန်မာ"), ("id", "Bahasa Indonesia"), ("ms", "Bahasa Melayu"), ("tl", "Filipino"),
]
CODES = {code for code, _name in PUBLIC_LANGUAGES}
COOKIE = "public_lang"
# The scam checker's own codes; and the country whose hotlines a language's reader most likely needs.
SCAMCHECK_CODE = {"zh-hans": "zh"}
COUNTRY_OF_LANGUAGE = {"th": "TH", "vi": "VN", "km": "KH", "lo": "LA", "my": "MM", "id": "ID", "ms": "MY",
                       "tl": "PH", "zh-hans": "CN"}
_ALIASES = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh-sg": "zh-hans", "fil": "tl", "in": "id", "ms-my": "ms"}


def _match(code):
    code = (code or "").lower()
    if code in CODES:
        return code
    if code in _ALIASES:
        return _ALIASES[code]
    base = code.split("-")[0]
    return base if base in CODES else _ALIASES.get(base)


def choose(request):
    """(language, whether it was chosen just now with ?lang=)."""
    asked = _match(request.GET.get("lang"))
    if asked:
        return asked, True
    kept = _match(request.COOKIES.get(COOKIE))
    if kept:
        return kept, False
    for code, _q in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        found = _match(code)
        if found:
            return found, False
    return "en", False


def scamcheck_code(language):
    return SCAMCHECK_CODE.get(language, language)


def public_page(view):
    """Render ``view`` in the reader's language; remember a language chosen with the switch."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        language, chosen = choose(request)
        request.public_language = language
        with translation.override(language):
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        if chosen:
            response.set_cookie(COOKIE, language, max_age=365 * 86400, samesite="Lax", httponly=True)
        response["Content-Language"] = language
        response.headers.setdefault("Vary", "Cookie, Accept-Language")
        return response
    return wrapper
