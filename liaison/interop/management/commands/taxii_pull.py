"""``liaison taxii_pull --user NAME COLLECTION_URL``: a partner's TAXII 2.1 collection into Liaison.

Run it on a schedule; each run asks only for what was added after the last one, and
objects imported before are updated, never duplicated. Cron, every 15 minutes::

    */15 * * * * liaison liaison taxii_pull --user th.sync https://partner.example/taxii2/root/collections/ID/

(systemd: a ``liaison-taxii-pull.timer`` with ``OnCalendar=*:0/15`` starting the same command.)
The partner's token is read from the environment variable named by ``--token-env``
(default ``TAXII_TOKEN``), never from the command line where ``ps`` would show it.
"""
import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from liaison.interop import stix


class BearerToken:
    """requests authentication with ``Authorization: <scheme> <token>``."""

    def __init__(self, scheme, token):
        self.value = f"{scheme} {token}"

    def __call__(self, request):
        request.headers["Authorization"] = self.value
        return request


def pull(user, url, auth=None, per_request=1000):
    """Import every page of the collection at ``url`` added since the last pull; returns
    (objects read, records created, records updated)."""
    from taxii2client.exceptions import TAXIIServiceException
    from taxii2client.v21 import Collection, as_pages

    from liaison.interop.models import TaxiiPullState

    state, _created = TaxiiPullState.objects.get_or_create(agency=user.agency, collection_url=url)
    collection = Collection(url, auth=auth)
    kwargs = {"added_after": state.added_after} if state.added_after else {}
    read = created = updated = 0
    last = state.added_after
    try:
        for page, envelope in enumerate(as_pages(collection.get_objects, per_request=per_request, **kwargs), start=1):
            objects = envelope.get("objects", [])
            read += len(objects)
            if objects:
                try:
                    report = stix.import_bundle(user, {"type": "bundle", "objects": objects},
                                                name=_("TAXII collection %(url)s") % {"url": url})
                except stix.StixImportError as exc:
                    raise CommandError(_("Page %(page)d of %(url)s was not imported:") % {"page": page, "url": url}
                                       + "\n" + "\n".join(exc.errors)) from None
                created += sum(report.created.values())
                updated += sum(report.updated.values())
            dates = [o.get("modified") or o.get("created") for o in objects if o.get("modified") or o.get("created")]
            if dates:
                last = max([last, *dates]) if last else max(dates)
    except TAXIIServiceException as exc:
        raise CommandError(_("The TAXII server refused: %(error)s") % {"error": exc}) from None
    with transaction.atomic():
        state.added_after = last or ""
        state.objects_imported += read
        state.save()
    return read, created, updated


class Command(BaseCommand):
    help = "Pull a partner's TAXII 2.1 collection into Liaison (idempotent: run it from cron)."

    def add_arguments(self, parser):
        parser.add_argument("url", help="The collection's URL (…/collections/<id>/).")
        parser.add_argument("--user", required=True, help="The officer account the records are imported for.")
        parser.add_argument("--token-env", default="TAXII_TOKEN", help="Environment variable holding the partner's token.")
        parser.add_argument("--scheme", default="Bearer", help="Authorization scheme of the partner (Bearer, Token).")

    def handle(self, *args, **options):
        from liaison.sharing.models import User

        user = User.objects.filter(username=options["user"], is_active=True, agency__isnull=False).first()
        if user is None:
            raise CommandError(_("No active officer “%(name)s”.") % {"name": options["user"]})
        token = os.environ.get(options["token_env"], "")
        auth = BearerToken(options["scheme"], token) if token else None
        url = options["url"] if options["url"].endswith("/") else options["url"] + "/"
        read, created, updated = pull(user, url, auth)
        self.stdout.write(_("%(read)d objects read: %(created)d records created, %(updated)d updated.")
                          % {"read": read, "created": created, "updated": updated})
