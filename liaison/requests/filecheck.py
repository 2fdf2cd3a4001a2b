"""Which uploaded files a request thread accepts (plain Python, no Django).

An attachment is accepted only when its name's extension is on the allow-list
*and* its content is of that type (sniffed with ``filetype`` from the first
bytes), so a web page renamed ``report.pdf`` is refused. Plain text has no
magic number: it is accepted when it decodes as UTF-8 and holds no markup a
browser would run.
"""

import filetype

MAX_BYTES = 10 * 1024 * 1024

# extension -> (MIME type served, the kinds filetype may report for it)
ALLOWED = {
    "pdf": ("application/pdf", {"pdf"}),
    "png": ("image/png", {"png"}),
    "jpg": ("image/jpeg", {"jpg"}),
    "jpeg": ("image/jpeg", {"jpg"}),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {"docx"}),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {"xlsx"}),
    "txt": ("text/plain; charset=utf-8", None),
    "csv": ("text/csv; charset=utf-8", None),
}
_MARKUP = (b"<html", b"<script", b"<!doctype", b"<svg", b"<iframe", b"<body")


class FileRefused(ValueError):
    """The file is not accepted; the message says why, for the officer."""

    def __init__(self, template, **params):
        self.template, self.params = template, params
        super().__init__(template % params)


def gettext_noop(message):
    return message


def check(name, head, size):
    """The MIME type to store and serve ``name`` with, or FileRefused.

    ``head`` is the start of the file (a few kilobytes are enough), ``size``
    its length in bytes.
    """
    name = (name or "").strip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise FileRefused(
            gettext_noop("Files of this type cannot be attached (“%(name)s”). Accepted: %(types)s."),
            name=name or "?",
            types=", ".join(sorted(ALLOWED)),
        )
    if size <= 0:
        raise FileRefused(gettext_noop("“%(name)s” is empty."), name=name)
    if size > MAX_BYTES:
        raise FileRefused(
            gettext_noop("“%(name)s” is too large (%(mb).1f MB): at most %(max)s MB."),
            name=name,
            mb=size / 1024 / 1024,
            max=MAX_BYTES // (1024 * 1024),
        )
    mime, kinds = ALLOWED[ext]
    if kinds is None:
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            # The head may end inside a multi-byte character; only that is forgiven.
            try:
                head[:-4].decode("utf-8")
                text = ""
            except UnicodeDecodeError:
                raise FileRefused(gettext_noop("“%(name)s” is not plain text (UTF-8)."), name=name) from None
        lowered = head.lower()
        if "\x00" in text or any(tag in lowered for tag in _MARKUP):
            raise FileRefused(
                gettext_noop("“%(name)s” is not plain text: it contains web-page markup or binary data."), name=name
            )
        return mime
    found = filetype.guess(head)
    if found is None or found.extension not in kinds:
        raise FileRefused(
            gettext_noop("“%(name)s” does not contain what its name says (.%(ext)s): it was refused."),
            name=name,
            ext=ext,
        )
    return mime
