"""What every part of federation shares: this node's name, its peers, which node homes which
agency, the wire constants, and the error a refused delivery raises. (``outbox`` sends,
``inbox`` receives; docs/federation.md says how.)"""
import logging
import threading

from django.conf import settings

from liaison.federation.models import AgencyHome, Node

log = logging.getLogger("liaison.federation")

DELIVERY_TYPE = "x-liaison-delivery"
# A fixed TAXII collection id for every node's federation inbox.
INBOX_COLLECTION = "0b7f6a6e-5d0b-4c55-9a51-6f1f3f0d5e16"
TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
MAX_BACKOFF = 300  # seconds between two attempts at most
# Answers that mean "send it again later" (the peer must fix something first, or is busy).
RETRY_STATUSES = (408, 409, 413, 425, 429)
BATCH = 500  # deliveries per envelope (FEDERATION_BATCH)
# An envelope stays well below a peer's request size limit (MAX_REQUEST_BODY_BYTES, 10 MB by default).
MAX_ENVELOPE_BYTES = 4 * 1024 * 1024


class FederationError(Exception):
    """A delivery refused; ``status`` is the HTTP status to answer, the message says why."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


def _replicated():
    """The kinds of record that replicate: every kind the STIX writer and importer carry."""
    from liaison.operations.models import Case, Event, Operation
    from liaison.registry.models import Identifier, Organisation, Person, Relationship, Site

    return (Person, Organisation, Site, Identifier, Operation, Case, Event, Relationship)


def enabled():
    return bool(getattr(settings, "FEDERATION_NODE", ""))


def self_name():
    return settings.FEDERATION_NODE


_envelope = threading.local()  # while an envelope is applied: the agency homes, read once


def applying_envelope():
    """Whether this thread is applying a peer's envelope (which writes only copies of its records)."""
    return getattr(_envelope, "homes", None) is not None


def home_of(agency_id):
    """The node name homing ``agency_id`` (this node's when not configured)."""
    homes = getattr(_envelope, "homes", None)
    if homes is not None:
        return homes.get(agency_id) or self_name()
    home = AgencyHome.objects.filter(agency_id=agency_id).select_related("node").first()
    return home.node.name if home else self_name()


def peers():
    return Node.objects.exclude(name=self_name())


def remote_agencies(peer):
    from liaison.sharing.models import Agency

    return list(Agency.objects.filter(federation_home__node=peer).order_by("short_name"))


def verified_peer(node_name, signature, body, what):
    """The peer ``node_name`` if ``signature`` is its Ed25519 signature of ``body``; else FederationError
    (401). ``what`` names the refused thing in the log ("a delivery", "a match question")."""
    from django.utils.translation import gettext as _

    from liaison.federation import keys

    peer = Node.objects.filter(name=node_name).exclude(name=self_name()).first() if node_name else None
    if peer is None or not keys.verify(peer.public_key, body, signature):
        logging.getLogger("liaison.federation").warning(
            "federation: refused %s claiming to come from %r: unknown node or bad signature", what, node_name)
        raise FederationError(_("Unknown node or bad signature."), status=401)
    return peer


def side_thread(name, work, *, failed):
    """Run ``work()`` now in a daemon thread with a database connection of its own, closed when it
    ends; returns the thread. For work whose failure costs time, not data (forming the next envelope
    ahead, recording an answer, refreshing statistics): the next push or envelope does it again, so
    an error is logged as ``failed`` and not raised."""
    from django.db import connections

    def run():
        try:
            work()
        except Exception:  # noqa: BLE001 - see the docstring: made good by the next round
            log.warning(failed, exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
