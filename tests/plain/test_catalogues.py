"""The translation catalogues are complete, current, safe to render and use the
glossary's terms (issue 14).

A catalogue that lacks an entry shows English to an officer who reads none; a
translation that drops or renames a ``%(name)s`` placeholder crashes the page
that renders it; a fuzzy entry is a machine guess nobody checked. The glossary
test is the one that matters most to the people on the records: "victim" and
"suspect" must be the same words on every page.
"""
import csv
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "liaison" / "locale"
GLOSSARY = ROOT / "docs" / "glossary.csv"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
# Scripts take their words from data attributes the templates translate
# (web/picker.js, public/pow.js): there is no JavaScript catalogue.
DOMAINS = ["django"]


def locale_dir(code):
    """Django's directory name for a language code (zh-hans -> zh_Hans)."""
    from django.utils.translation import to_locale

    return to_locale(code)


def catalogue(code, domain="django"):
    path = LOCALE / locale_dir(code) / "LC_MESSAGES" / f"{domain}.po"
    assert path.exists(), f"no {domain} catalogue for {code}: run `make messages`"
    with path.open("rb") as f:
        return read_po(f)


def entries(code, domain="django"):
    cat = catalogue(code, domain)
    for message in cat:
        if message.id:
            message.num_plurals = cat.num_plurals
            yield message


def forms(message):
    """(msgid text, [msgstr texts]) whatever the plural forms; only as many
    plural forms as the language has (Chinese, Thai... have one)."""
    if isinstance(message.id, (tuple, list)):
        return " ".join(message.id), list(message.string)[: getattr(message, "num_plurals", 2)]
    return message.id, [message.string]


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("code", TRANSLATED)
def test_every_entry_is_translated_and_none_is_fuzzy(code, domain):
    missing, fuzzy = [], []
    for message in entries(code, domain):
        msgid, strings = forms(message)
        if message.fuzzy:
            fuzzy.append(msgid)
        if any(not s.strip() for s in strings):
            missing.append(msgid)
    assert not fuzzy, f"{code}: {len(fuzzy)} fuzzy entries, e.g. {fuzzy[:5]}"
    assert not missing, f"{code}: {len(missing)} untranslated entries, e.g. {missing[:5]}"


NAMED = re.compile(r"%\((\w+)\)[sdif]")
POSITIONAL = re.compile(r"%(?!\()[-#0 +]*\d*(?:\.\d+)?[sdif]")
BRACES = re.compile(r"\{(\w*)\}")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b")


def _placeholders(text):
    return (set(NAMED.findall(text)), len(POSITIONAL.findall(text.replace("%%", ""))), sorted(BRACES.findall(text)),
            sorted(TAG.findall(text)))


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_their_placeholders_and_markup(code, domain):
    """A renamed placeholder is a KeyError on the page; a lost tag breaks it."""
    wrong = []
    for message in entries(code, domain):
        if isinstance(message.id, (tuple, list)):
            allowed = set(NAMED.findall(message.id[0])) | set(NAMED.findall(message.id[1]))
            for s in forms(message)[1]:
                names = set(NAMED.findall(s))
                # A plural form may leave the count out ("one record"), never invent a name.
                if not s or names - allowed or (allowed - names) - {"n", "count", "num"}:
                    wrong.append((message.id[0], s))
        else:
            if message.string and _placeholders(message.string) != _placeholders(message.id):
                wrong.append((message.id, message.string))
    assert not wrong, f"{code}: {len(wrong)} entries change placeholders or tags, e.g. {wrong[:3]}"


def glossary():
    with GLOSSARY.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_glossary_covers_every_language():
    rows = glossary()
    assert len(rows) >= 30
    for row in rows:
        for code in ["en", *TRANSLATED]:
            assert row.get(code, "").strip(), f"glossary: {row['term']!r} has no {code} term"


def _pattern(alternatives):
    words = [re.escape(w.strip()) for w in alternatives.split("|") if w.strip()]
    return re.compile(r"(?<![\w-])(?:" + "|".join(words) + r")(?![\w-])", re.IGNORECASE)


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalogues_use_the_glossary_terms(code):
    """Wherever a glossary term appears in English, the translation uses that
    language's glossary word (any of the forms listed there). An entry where
    the English word means something else carries a translator comment
    ``glossary-exempt: <term>``."""
    rows = glossary()
    wrong = []
    for message in entries(code):
        msgid, strings = forms(message)
        msgid = NAMED.sub(" ", BRACES.sub(" ", msgid))  # %(agency)s is a name, not the word "agency"
        exempt = {c.split(":", 1)[1].strip().lower() for c in message.user_comments if c.startswith("glossary-exempt:")}
        for row in rows:
            if row["term"].lower() in exempt or not _pattern(row["en"]).search(msgid):
                continue
            targets = [t.strip().lower() for t in row[code].split("|") if t.strip()]
            for s in strings:
                if not any(t in s.lower() for t in targets):
                    wrong.append((row["term"], msgid, s))
    assert not wrong, f"{code}: {len(wrong)} entries miss the glossary term, e.g. {wrong[:5]}"


@override_settings()
def test_catalogues_hold_every_marked_string(tmp_path, monkeypatch):
    """`makemessages` would add nothing: every string marked in the code and
    templates is in the catalogues (so none can show up untranslated).

    makemessages writes into any ``locale`` folder it finds beside the sources,
    so it runs on a tree of links to them without one, writing to tmp_path."""
    source = tmp_path / "src"
    source.mkdir()
    for entry in (ROOT / "liaison").iterdir():
        if entry.name != "locale":
            (source / entry.name).symlink_to(entry)
    target = tmp_path / "locale"
    (target / "en" / "LC_MESSAGES").mkdir(parents=True)
    settings.LOCALE_PATHS = [str(target)]
    monkeypatch.chdir(source)
    for domain in DOMAINS:
        ignore = ["*/tests/*", "web/static/vendor/*"]
        call_command("makemessages", locale=["en"], domain=domain, ignore_patterns=ignore, verbosity=0,
                     symlinks=True, no_obsolete=True)
        with (target / "en/LC_MESSAGES" / f"{domain}.po").open("rb") as f:
            fresh = {forms(m)[0] for m in read_po(f) if m.id}
        for code in ["en", *TRANSLATED]:
            kept = {forms(m)[0] for m in entries(code, domain)}
            assert fresh <= kept, f"{code}: not in the catalogue (run `make messages`): {sorted(fresh - kept)[:10]}"


# Text a template shows that is not inside {% translate %} / {% blocktranslate %}.
_SKIP = [re.compile(p, re.S) for p in (
    r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", r"{#.*?#}",
    r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", r"<script\b.*?</script>", r"<style\b.*?</style>",
    r"<code\b[^>]*>.*?</code>",  # column names, commands: the same in every language
    r"{%.*?%}", r"{{.*?}}")]
_VISIBLE_ATTRS = re.compile(r"\b(?:title|placeholder|aria-label|alt)=\"([^\"]*)\"")
# Words that are the same in every language: product and protocol names.
_NOT_WORDS = {"Liaison", "TLP", "TLP:", "HTTP", "— HTTP", "· TLP:", "· Liaison", "TOTP", "CSV", "JSON", "API", "GraphML"}


def test_templates_mark_every_visible_string():
    unmarked = []
    for path in sorted((ROOT / "liaison").rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in _SKIP[:-2]:
            text = pattern.sub("", text)
        attrs = [a for a in _VISIBLE_ATTRS.findall(_SKIP[-2].sub("", _SKIP[-1].sub("", text))) if re.search("[A-Za-z]{2}", a)]
        for pattern in _SKIP[-2:]:
            text = pattern.sub("", text)
        lines = [line.strip() for line in re.sub(r"<[^>]*>", "\n", text).split("\n")]
        words = [line for line in lines if re.search("[A-Za-z]{2}", line) and line not in _NOT_WORDS
                 and not line.startswith("&")]
        unmarked += [(path.relative_to(ROOT).as_posix(), w) for w in words + attrs]
    assert not unmarked, f"{len(unmarked)} template strings are not marked for translation: {unmarked[:10]}"
