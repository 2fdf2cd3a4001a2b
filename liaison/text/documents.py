"""A document's bytes to its plain text: .txt, .html, .pdf and .docx.

Plain Python (no Django), so the intake pipeline, the batch command and the
tests share one reading of every file format. Every refusal is a
``DocumentError`` whose message names the problem in an officer's words
("the PDF has no text layer"), never a library's traceback; what can be read
despite a problem comes back with ``warnings``.

Messages are marked with ``N_`` (gettext_noop) and formatted later: the Django
side translates ``error.template`` with its catalogue, while this module stays
importable without Django.
"""
import codecs
import io
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

MAX_BYTES = 5 * 1024 * 1024
KINDS = ("txt", "html", "pdf", "docx")
EXTENSIONS = {".txt": "txt", ".text": "txt", ".html": "html", ".htm": "html", ".xhtml": "html",
              ".pdf": "pdf", ".docx": "docx"}


def N_(message):
    """Marks ``message`` for translation without translating it (gettext_noop)."""
    return message


class DocumentError(ValueError):
    """A document that cannot be read; ``str()`` is the message with its details filled in."""

    def __init__(self, template, **params):
        self.template, self.params = template, params
        super().__init__(template % params if params else template)


@dataclass
class ExtractedText:
    text: str
    kind: str
    title: str = ""
    warnings: list = field(default_factory=list)


def human_size(n):
    """1536 -> "1.5 KB"; the limit and the file's size are stated in these units."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}".replace(".0 ", " ")
        n /= 1024
    return f"{n} GB"


def normalise(text):
    """NFC, one kind of line break, no NUL or other control characters except tab and newline.

    Offsets of proposed facts point into this text, so it is computed once, at
    extraction, and stored; nothing else is changed (the seeds' hash must stay
    the hash of their file)."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def check_size(size):
    if size > MAX_BYTES:
        raise DocumentError(N_("The file is %(size)s; the limit is %(limit)s. Split it into smaller files."),
                            size=human_size(size), limit=human_size(MAX_BYTES))


def detect_kind(filename, data):
    """The format of ``data``: by its first bytes where they are unambiguous, else by the file name."""
    if data[:5] == b"%PDF-":
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        if (filename or "").lower().endswith(".docx") or b"word/" in data[:4096] or b"[Content_Types].xml" in data[:4096]:
            return "docx"
        raise DocumentError(N_("%(name)s is a ZIP archive, not a Word (.docx) document. Unpack it and take in each "
                               "report on its own."), name=filename or "The file")
    name = (filename or "").lower()
    for ext, kind in EXTENSIONS.items():
        if name.endswith(ext):
            return kind
    if not name or "." not in name.rsplit("/", 1)[-1]:
        head = data[:1024].lstrip().lower()
        return "html" if head.startswith((b"<!doctype html", b"<html")) else "txt"
    if name.endswith(".doc"):
        raise DocumentError(N_("%(name)s is an old Word (.doc) file. Save it as .docx or PDF first."), name=filename)
    raise DocumentError(N_("%(name)s is not a format Liaison reads. Accepted: .txt, .html, .pdf and .docx."),
                        name=filename)


def extract_text(data, filename="", kind=None):
    """The text of a document's bytes, with warnings; ``DocumentError`` when there is none to read."""
    check_size(len(data))
    if not data or not data.strip():
        raise DocumentError(N_("The document is empty."))
    kind = kind or detect_kind(filename, data)
    reader = {"txt": _read_txt, "html": _read_html, "pdf": _read_pdf, "docx": _read_docx}.get(kind)
    if reader is None:
        raise DocumentError(N_("Unknown document kind “%(kind)s”; use one of %(kinds)s."), kind=kind, kinds=", ".join(KINDS))
    result = reader(data)
    result.text = normalise(result.text)
    if not result.text.strip():
        raise DocumentError(N_("The document contains no readable text."))
    result.title = _title(result.title, result.text)
    return result


def text_from_paste(text):
    """Pasted text: the same checks as a file (size, emptiness), normalised the same way."""
    data = (text or "").encode("utf-8")
    check_size(len(data))
    text = normalise(text or "")
    if not text.strip():
        raise DocumentError(N_("The document is empty."))
    return ExtractedText(text=text, kind="txt", title=_title("", text))


def _title(title, text):
    """The document's own title, else its first line (shortened): what lists show."""
    title = " ".join((title or "").split())
    if not title:
        first = next((line for line in text.splitlines() if line.strip()), "")
        title = " ".join(first.split())
    return title if len(title) <= 120 else title[:119].rstrip() + "…"


# --- .txt ----------------------------------------------------------------------------------------

_BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


def _looks_binary(data):
    """NUL bytes or many control characters in the first 8 KB: an image, an archive, a program."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > len(head) * 0.05


def decode(data):
    """(text, warnings): the BOM's encoding, else UTF-8; anything else is refused.

    Legacy encodings (GB18030, TIS-620, Windows-1258...) are not guessed: a
    detector tried on short Chinese bulletins read them as Thai, and a wrong
    guess would put invented words in front of the analyst."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), []
            except UnicodeDecodeError:
                raise DocumentError(N_("The file announces %(encoding)s text but is damaged: it cannot be read as "
                                       "such."), encoding=encoding.upper().replace("-SIG", "")) from None
    if _looks_binary(data):
        raise DocumentError(N_("This is not a text document: it contains binary data (an image, archive or "
                               "program?). Accepted: .txt, .html, .pdf and .docx."))
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        raise DocumentError(N_("The text is not in UTF-8 (unreadable byte at position %(pos)s). Save it as UTF-8 "
                               "(“Save as” → encoding UTF-8) and try again."), pos=exc.start) from None


def _read_txt(data):
    text, warnings = decode(data)
    return ExtractedText(text=text, kind="txt", warnings=warnings)


# --- .html ---------------------------------------------------------------------------------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
         "param", "keygen", "command", "basefont", "frame", "isindex"}
# Elements whose end tag HTML lets authors leave out: an open one proves nothing.
_OPTIONAL_END = {"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup",
                 "colgroup", "caption", "rb", "rt", "rtc", "rp", "head", "body", "html"}


class _TextAndStructure(HTMLParser):
    """Collects the visible text and notices unclosed elements (a cut-off or damaged page).

    Hand-written because the fallback must work exactly where the HTML is too
    broken for trafilatura; the standard library's tolerant parser never raises."""

    _SKIP = {"script", "style", "noscript", "template", "head", "title"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "article", "section", "table",
              "blockquote", "pre", "header", "footer", "ul", "ol", "dd", "dt", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.open, self.skipping, self.title = [], [], 0, ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        if tag in self._SKIP:
            self.skipping += 1
        if tag in self._BLOCK:
            self.parts.append("\n")
        if tag not in _VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag in self._SKIP and self.skipping:
            self.skipping -= 1
        if tag in self._BLOCK:
            self.parts.append("\n")
        if tag in self.open:
            while self.open and self.open.pop() != tag:
                pass

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self.skipping:
            self.parts.append(data)

    def text(self):
        lines = (" ".join(line.split()) for line in "".join(self.parts).split("\n"))
        return "\n".join(line for line in lines if line)

    def unclosed(self):
        return sorted({tag for tag in self.open if tag not in _OPTIONAL_END})


def _read_html(data):
    markup, warnings = decode(data)
    parser = _TextAndStructure()
    parser.feed(markup)
    parser.close()
    damaged = parser.unclosed() or markup.rstrip().rfind("<") > markup.rstrip().rfind(">")
    if damaged:
        tags = ", ".join(f"<{t}>" for t in parser.unclosed()) or "<…>"
        warnings.append(N_("The HTML is incomplete or damaged (not closed: %(tags)s). Its text was read as far as "
                           "possible: compare it with the original.") % {"tags": tags})
    import trafilatura

    # trafilatura keeps the article and drops menus, footers and adverts.
    text = trafilatura.extract(markup, favor_recall=True, include_comments=False, include_tables=True)
    if not text or not text.strip():
        text = parser.text()
        if text.strip():
            warnings.append(N_("The page's article could not be told apart from its menus and footers: all of its "
                               "text was kept."))
    return ExtractedText(text=text or "", kind="html", title=parser.title, warnings=warnings)


# --- .pdf ----------------------------------------------------------------------------------------

def _read_pdf(data):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise DocumentError(N_("The PDF is protected by a password. Remove the protection and try again."))
            except DocumentError:
                raise
            except Exception:
                raise DocumentError(N_("The PDF is protected by a password. Remove the protection and try again.")) from None
        pages, empty = [], []
        for number, page in enumerate(reader.pages, start=1):
            page_text = page.extract_text() or ""
            if page_text.strip():
                pages.append(page_text)
            else:
                empty.append(number)
        title = (reader.metadata.title if reader.metadata and reader.metadata.title else "") or ""
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError):
        raise DocumentError(N_("The PDF file is damaged and cannot be read.")) from None
    if not pages:
        raise DocumentError(N_("The PDF has no text layer: it is probably a scanned image. OCR is not available; "
                               "paste the text or get a PDF with text."))
    warnings = []
    if empty:
        warnings.append(N_("Pages %(pages)s of the PDF have no text (scanned images?); their content is missing.")
                        % {"pages": ", ".join(map(str, empty))})
    return ExtractedText(text="\n\n".join(pages), kind="pdf", title=str(title), warnings=warnings)


# --- .docx ---------------------------------------------------------------------------------------

def _read_docx(data):
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # PackageNotFoundError, zipfile.BadZipFile, KeyError, lxml errors: all mean "damaged"
        raise DocumentError(N_("The Word document is damaged and cannot be read.")) from None
    blocks = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells = []
            for cell in row.cells:
                if cell.text not in cells:  # merged cells repeat their text
                    cells.append(cell.text)
            blocks.append("\t".join(cells))
    text = "\n".join(blocks)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return ExtractedText(text=text, kind="docx", title=document.core_properties.title or "")
