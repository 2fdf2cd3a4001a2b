"""``liaison federation``: keys, nodes, agency homes, sending the outbox.

    liaison federation keygen                      # prints a new private key (for LIAISON_NODE_PRIVATE_KEY) and its public key
    liaison federation configure nodes.json        # nodes (name, url, public_key) and homes {"CN-MPS": "cn", ...}
    liaison federation status                      # this node, peers, pending entries per peer
    liaison federation push [--loop] [--interval 2] # deliver the outbox (once, or until stopped)
    liaison federation ask --agency TH-RTP --name "MING XUE CHANG" [--birth-date 1955] [--peer cn]
                                                   # "do you hold this person?" to the peers: hit / no hit
"""
import json
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from liaison.federation import keys, services
from liaison.federation.models import AgencyHome, Node, OutboxEntry


class Command(BaseCommand):
    help = "Federation of sovereign nodes: keys, configuration, outbox."
    requires_system_checks = []  # the loop and the one-shot push start often; `liaison check` checks

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("keygen", help="Print a new Ed25519 key pair.")
        configure = sub.add_parser("configure", help="Load nodes and agency homes from a JSON file.")
        configure.add_argument("file")
        sub.add_parser("status", help="Show this node, its peers and their pending deliveries.")
        push = sub.add_parser("push", help="Deliver the outbox to the peers.")
        push.add_argument("--loop", action="store_true", help="Keep delivering until stopped.")
        push.add_argument("--interval", type=float, default=2.0, help="Seconds between two rounds in loop mode.")
        push.add_argument("--peer", help="Only this peer.")
        push.add_argument("--now", action="store_true", help="Try every pending entry now, whatever its back-off.")
        ask = sub.add_parser("ask", help="Ask the peers whether they hold a person (hit / no hit, whom to contact).")
        ask.add_argument("--agency", required=True, help="The asking agency (homed on this node), e.g. TH-RTP.")
        ask.add_argument("--officer", default="", help="Who asks (recorded by the asked node).")
        ask.add_argument("--name", action="append", required=True, help="A name of the person (repeat for more).")
        ask.add_argument("--birth-date", default="")
        ask.add_argument("--nationality", default="", help="Two-letter country code.")
        ask.add_argument("--document", default="", help="Passport or identity card number.")
        ask.add_argument("--sex", default="")
        ask.add_argument("--peer", action="append", help="Only this peer (repeat for more).")
        demo = sub.add_parser("demo", help="Three demo nodes on this machine (make demo-federation).")
        demo.add_argument("--dir", default="var/federation")
        demo.add_argument("--nodes", default="", help="Start only these nodes, e.g. cn,th (the others stay down).")
        demo_setup = sub.add_parser("demo-setup", help="(used by demo) agencies, officers and nodes on the base database")
        demo_setup.add_argument("file")
        sub.add_parser("demo-records", help="(used by demo) the Chinese node's persons")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action.replace('-', '_')}")(**options)

    def _keygen(self, **options):
        private, public = keys.generate()
        self.stdout.write(_("Private key (keep it secret; LIAISON_NODE_PRIVATE_KEY): %(key)s") % {"key": private})
        self.stdout.write(_("Public key (give it to the other nodes): %(key)s") % {"key": public})

    def _configure(self, file, **options):
        from liaison.sharing.models import Agency

        try:
            with open(file, encoding="utf-8") as fh:
                config = json.load(fh)
        except (OSError, ValueError) as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc}) from None
        errors = []
        nodes = config.get("nodes") or []
        for node in nodes:
            try:
                keys._raw(node.get("public_key"), "public key")
            except keys.KeyError_:
                errors.append(_("Node %(node)s: the public key is not an Ed25519 key (base64 of 32 bytes).")
                              % {"node": node.get("name", "?")})
        names = {n.get("name") for n in nodes}
        homes = config.get("homes") or {}
        agencies = {a.short_name: a for a in Agency.objects.filter(short_name__in=list(homes))}
        for short_name, node in homes.items():
            if short_name not in agencies:
                errors.append(_("Unknown agency %(agency)s.") % {"agency": short_name})
            if node not in names:
                errors.append(_("Agency %(agency)s is homed on %(node)s, which is not among the nodes.")
                              % {"agency": short_name, "node": node})
        if errors:
            raise CommandError("\n".join(errors))
        with transaction.atomic():  # all or nothing
            by_name = {}
            for node in nodes:
                by_name[node["name"]], _created = Node.objects.update_or_create(
                    name=node["name"], defaults={"base_url": node.get("url", ""), "public_key": node["public_key"]})
            for short_name, node in homes.items():
                AgencyHome.objects.update_or_create(agency=agencies[short_name], defaults={"node": by_name[node]})
        self.stdout.write(_("%(nodes)d nodes, %(homes)d agency homes configured.") % {"nodes": len(nodes), "homes": len(homes)})

    def _status(self, **options):
        if not services.enabled():
            raise CommandError(_("This node has no name: set LIAISON_NODE_NAME and LIAISON_NODE_PRIVATE_KEY."))
        self.stdout.write(_("This node: %(name)s") % {"name": services.self_name()})
        for peer in services.peers():
            pending = OutboxEntry.objects.filter(peer=peer, delivered_at__isnull=True).count()
            self.stdout.write(_("Peer %(name)s (%(url)s): %(pending)d pending") % {"name": peer.name, "url": peer.base_url,
                                                                                  "pending": pending})

    def _push(self, loop=False, interval=2.0, peer=None, now=False, **options):
        import logging

        from django.db import OperationalError
        from django.utils import timezone

        if not services.enabled() or not getattr(settings, "FEDERATION_PRIVATE_KEY", ""):
            raise CommandError(_("This node has no name or key: set LIAISON_NODE_NAME and LIAISON_NODE_PRIVATE_KEY."))
        node = None
        if peer:
            node = services.peers().filter(name=peer).first()
            if node is None:
                raise CommandError(_("No peer named %(name)s.") % {"name": peer})
        while True:
            try:
                delivered = services.push(node, ignore_backoff=now)
            except OperationalError as exc:  # the database busy or away for a moment: the next round retries
                if not loop:
                    raise
                logging.getLogger("liaison.federation").warning("federation push: %s", exc)
                delivered = {}
            now = False
            if delivered and any(delivered.values()) or not loop:
                self.stdout.write(", ".join(_("%(peer)s: %(n)d delivered") % {"peer": k, "n": v}
                                            for k, v in delivered.items()) or _("No peer."))
            if not loop:
                return
            time.sleep(interval)

    def _ask(self, agency, officer, name, birth_date, nationality, document, sex, peer=None, **options):
        from liaison.federation import remote_match
        from liaison.sharing.models import Agency

        if not services.enabled() or not getattr(settings, "FEDERATION_PRIVATE_KEY", ""):
            raise CommandError(_("This node has no name or key: set LIAISON_NODE_NAME and LIAISON_NODE_PRIVATE_KEY."))
        asking = Agency.objects.filter(short_name=agency).first()
        if asking is None:
            raise CommandError(_("Unknown agency %(agency)s.") % {"agency": agency})
        person = {"names": name, "birth_date": birth_date, "nationality": nationality, "document": document, "sex": sex}
        try:
            results = remote_match.ask(asking, person, officer=officer, peer_names=peer)
        except services.FederationError as exc:
            raise CommandError(str(exc)) from None
        for node, answer, error in results:
            if error:
                self.stdout.write(_("%(node)s: %(error)s") % {"node": node, "error": error})
            elif not answer["hit"]:
                self.stdout.write(_("%(node)s: no hit") % {"node": node})
            for hit in (answer or {}).get("hits") or []:
                self.stdout.write(_("%(node)s: hit (%(band)s): contact %(agency)s, quote %(reference)s")
                                  % {"node": node, "band": hit["band"], "agency": hit["agency"],
                                     "reference": hit["reference"]})

    def _demo(self, dir, nodes="", **options):
        from liaison.federation import demo

        demo.run(dir, only={n.strip() for n in nodes.split(",") if n.strip()})

    def _demo_setup(self, file, **options):
        from liaison.federation import demo

        demo.setup(file)

    def _demo_records(self, **options):
        from liaison.federation import demo

        demo.records()
