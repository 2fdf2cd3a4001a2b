"""Check a read replica end to end: which database a search, a list and a record page read.

    DATABASE_URL=postgres://liaison:…@127.0.0.1:5435/liaison \\
    DATABASE_REPLICA_URL=postgres://liaison:…@127.0.0.1:5434/liaison \\
    SECRET_KEY=… ALLOWED_HOSTS=localhost .venv/bin/python bench/replica_check.py --user cn.analyst --query Ming

Runs the pages through Django's test client against the configured databases (no server
needed), as USER (the demo's logins, or any officer), and prints for each page the
number of queries each database served, the replica's lag and whether it is a standby
(``pg_is_in_recovery``), the replica server's own count of rows it returned
(``pg_stat_database.tup_returned``, read on the replica, so the figure does not come from
Liaison's side alone), and whether a row written on the primary is read back on the
replica at once (it is, with ``synchronous_commit = remote_apply``; otherwise within the
lag). Writes only a throw-away one-time form token (``tasks_submittedform``)
(deleted again). docs/operations.md "Read replica" shows how to build a test replica.
"""
import argparse
import os
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="cn.analyst")
    parser.add_argument("--query", default="Ming")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY

    from liaison.ops import replica
    from liaison.sharing.models import User
    from liaison.sharing.otp import ensure_device
    from liaison.tasks.models import SubmittedForm

    if "replica" not in settings.DATABASES:
        sys.exit("DATABASE_REPLICA_URL is not set.")
    copy = connections["replica"]
    with copy.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_setting('port')")
        standby, port = cursor.fetchone()
    print(f"replica: port {port}, standby (pg_is_in_recovery): {standby}, lag {replica.replica_lag(copy):.3f} s")

    user = User.objects.get(username=args.user)
    client = Client(HTTP_HOST=(settings.ALLOWED_HOSTS or ["localhost"])[0])
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = ensure_device(user).persistent_id
    session.save()

    def served_rows():
        with copy.cursor() as cursor:
            # The pages ran on this same connection: its counts reach pg_stat at the next flush.
            cursor.execute("SELECT pg_stat_force_next_flush()")
            cursor.execute("SELECT tup_returned FROM pg_stat_database WHERE datname = current_database()")
            return cursor.fetchone()[0]

    pages = [("search", f"/search/?q={args.query}"), ("person list", "/persons/"),
             ("analysis index", "/analysis/"), ("a record page (primary)", None)]
    for label, url in pages:
        if url is None:
            from liaison.registry.models import Person

            first = Person.objects.visible_to(user).order_by("pk").first()
            url = f"/persons/{first.pk}/" if first else "/"
        client.get(url)  # the first request of a process loads catalogues and templates: not timed
        replica._Health.checked_at = 0.0
        before = served_rows()
        with CaptureQueriesContext(connections["default"]) as on_primary, CaptureQueriesContext(copy) as on_copy:
            began = time.perf_counter()
            response = client.get(url)
            took = time.perf_counter() - began
        print(f"{label:26} {url:28} HTTP {response.status_code}  {took * 1000:7.1f} ms  "
              f"queries: primary {len(on_primary):3}, replica {len(on_copy):3}  "
              f"(replica server returned {served_rows() - before} more rows)")

    token = secrets.token_urlsafe(18)
    row = SubmittedForm.objects.create(user=user, token=token)
    began, reads = time.perf_counter(), 1
    while not SubmittedForm.objects.using("replica").filter(token=token).exists():
        reads += 1
        time.sleep(0.001)
    print(f"a row written on the primary was found on the replica by read number {reads}, "
          f"after {1000 * (time.perf_counter() - began):.1f} ms")
    row.delete()


if __name__ == "__main__":
    main()
