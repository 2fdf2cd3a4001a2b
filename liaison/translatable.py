"""Marking strings for translation in plain-Python modules.

``liaison.identifiers``, ``liaison.names`` and ``liaison.linkage`` import nothing
from Django, yet their labels (identifier kinds, script names, the matcher's
explanations) are shown to officers in ten languages. ``gettext_noop`` marks
them: makemessages looks for this name and puts them in the catalogues, and the
Django side translates them where it shows them (``gettext(label)``).
"""


def gettext_noop(message):
    return message
