"""Check a message or job offer for the signs of a scam or a trafficking lure.

Plain Python, no Django (like liaison/text and liaison/names): the core of the
public check page (issue 11). ``check(text, language=None)`` returns a score
0..1, a level, the warning signs that fired (with offsets, explained in the
reader's language) and the identifiers found in the text; ``check_many`` does
the same for a batch. ``liaison check messages FILE.csv`` is the command line.
"""
from .check import HIGH, LANGUAGES, MEDIUM, Result, check, check_many, combine, level_of

__all__ = ["HIGH", "LANGUAGES", "MEDIUM", "Result", "check", "check_many", "combine", "level_of"]
