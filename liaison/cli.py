"""The `liaison` command: Django's manage.py with Liaison's settings preselected.

Every management command (``liaison migrate``, ``liaison import_persons``,
``liaison demo``...) is reachable through it, so operators never need to know
where manage.py lives or which settings module to use.
"""
import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv or sys.argv)


if __name__ == "__main__":
    main()
