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
OFFLINE_COMMANDS = {("extract",), ("eval",), ("match", "score"), ("i18n",), ("makemessages",)}


def _is_offline(argv):
    words = [a for a in argv[1:] if not a.startswith("-")]
    return any(tuple(words[: len(cmd)]) == cmd for cmd in OFFLINE_COMMANDS)


def _is_message_check(argv):
    # `liaison check` stays Django's system check (`check --deploy`, `check messages`
    # for the messages app); only `check messages` followed by a file (or --help) is
    # the scam checker.
    rest = argv[3:] if argv[1:3] == ["check", "messages"] else []
    return any(a in ("-h", "--help") or a.lower().endswith(".csv") or os.path.isfile(a) for a in rest)


def main(argv=None):
    argv = argv or sys.argv
    if _is_message_check(argv):
        # `liaison check messages FILE.csv` is plain Python (liaison.scamcheck): it
        # runs before Django so that it needs no settings, database or secret at all.
        from liaison.scamcheck.cli import main as check_main

        sys.exit(check_main(argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    if _is_offline(argv):
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
