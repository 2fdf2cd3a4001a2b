"""The `liaison` command: Django's manage.py with Liaison's settings preselected.

Every management command (``liaison migrate``, ``liaison import_persons``,
``liaison demo``...) is reachable through it, so operators never need to know
where manage.py lives or which settings module to use.
"""
import os
import secrets
import sys

# Commands that never touch the database nor sign anything: extraction and
# scoring of files. They must run on an analyst's laptop or an evaluation box
# with no configuration at all, so they get a throw-away signing key instead of
# refusing to start for want of SECRET_KEY (which protects sessions only).
OFFLINE_COMMANDS = {("extract",), ("eval",), ("match", "score")}


def _is_offline(argv):
    words = [a for a in argv[1:] if not a.startswith("-")]
    return any(tuple(words[: len(cmd)]) == cmd for cmd in OFFLINE_COMMANDS)


def main(argv=None):
    argv = argv or sys.argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    if _is_offline(argv):
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
