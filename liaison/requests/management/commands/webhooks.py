"""``liaison webhooks deliver``: one pass over the webhook deliveries that are due.

``liaison webhooks receive``: a small local receiver for the demo (127.0.0.1
only) that checks each delivery's signature against the configured secrets,
as a national case system would, and prints what it received.
"""

import json
from http.server import BaseHTTPRequestHandler, HTTPServer

from django.core.management.base import BaseCommand

from liaison.requests import webhooks
from liaison.requests.models import WebhookEndpoint


class Command(BaseCommand):
    help = (
        "deliver: send the signed webhook notices that are due (one pass; safe to run from cron at any "
        "interval). receive: a demo receiver on 127.0.0.1 that checks signatures."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["deliver", "receive"])
        parser.add_argument("--port", type=int, default=8765, help="receive: the port to listen on (127.0.0.1).")

    def handle(self, *args, **options):
        if options["action"] == "receive":
            return self._receive(options["port"])
        delivered, failed = webhooks.deliver_due()
        self.stdout.write(f"{delivered} delivered, {failed} failed (will be retried with back-off unless given up)")

    def _receive(self, port):
        secrets = list(WebhookEndpoint.objects.filter(is_active=True).values_list("secret", flat=True))
        server = make_receiver(secrets, port, self.stdout.write)
        self.stdout.write(f"Listening on http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()


def make_receiver(secrets, port, write):
    """An HTTP server on 127.0.0.1 answering 200 to deliveries signed with one of
    ``secrets`` and 401 to others, reporting each through ``write``."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            header = self.headers.get(webhooks.SIGNATURE_HEADER, "")
            valid = any(webhooks.verify(secret, body, header) for secret in secrets)
            self.send_response(200 if valid else 401)
            self.end_headers()
            try:
                event = json.loads(body).get("event", "?")
            except ValueError:
                event = "?"
            write(f"{'signature valid' if valid else 'BAD SIGNATURE'}: {event} {body[:200].decode('utf-8', 'replace')}")

        def log_message(self, *args):
            pass

    return HTTPServer(("127.0.0.1", port), Handler)
