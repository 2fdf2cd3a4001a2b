"""Where webhook deliveries may go, as plain Python (no Django).

A webhook address is typed by an agency administrator, and the server then
posts to it: left unchecked, that lets anyone with the role make the server
talk to its own database port, the cloud metadata service or the office
network, and read the answers (refused, timed out...) as a port scanner would.
So the host is resolved and every address it resolves to must be a public
one, both when the endpoint is saved and at each delivery; the delivery then
connects to the very address that was checked, so a DNS answer that changes
in between (rebinding) gains nothing. Loopback is allowed only when the
operator says so (the demo and the tests run their receiver on 127.0.0.1).

Failures are told in coarse categories only (``CATEGORIES``), never the raw
error of the socket library.
"""

import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

# Coarse error categories stored in the webhook log; the page translates them.
REFUSED = "refused"
TIMED_OUT = "timeout"
TLS = "tls"
NOT_FOUND = "not_found"
NOT_ALLOWED = "not_allowed"
FAILED = "failed"
CATEGORIES = (REFUSED, TIMED_OUT, TLS, NOT_FOUND, NOT_ALLOWED, FAILED)


def gettext_noop(message):
    """Marks a message for translation (makemessages finds it) without
    translating it: this module imports no Django; the form translates."""
    return message


class AddressRefused(Exception):
    """An address deliveries may not go to; ``reason`` says why in plain words
    (English, for the caller to translate), ``category`` is for the log."""

    def __init__(self, reason, category=NOT_ALLOWED):
        super().__init__(reason)
        self.reason, self.category = reason, category


def resolve(host, port):
    """Every IP address ``host`` resolves to (kept apart so tests can pin DNS)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def is_public(ip, *, allow_loopback=False):
    """Whether deliveries may connect to ``ip``: a globally routable unicast
    address; loopback only when allowed. Private, link-local (169.254.x, the
    cloud metadata service), shared, reserved, multicast and unspecified
    addresses never; IPv4 written inside IPv6 is judged as the IPv4 it is."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return allow_loopback
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_unspecified)


def check_url(url, *, allow_loopback=False, resolver=None):
    """(scheme, host, port, ip) of ``url`` if deliveries may go there, else
    ``AddressRefused``. https is required unless loopback is allowed (the
    demo's receiver speaks plain http)."""
    resolver = resolver or resolve
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressRefused(gettext_noop("The address is not a valid web address.")) from None
    scheme = parts.scheme.lower()
    allowed_schemes = ("https", "http") if allow_loopback else ("https",)
    if scheme not in allowed_schemes:
        raise AddressRefused(
            gettext_noop("The address must start with https://.")
            if not allow_loopback
            else gettext_noop("The address must start with https:// or http://.")
        )
    host = parts.hostname
    if not host:
        raise AddressRefused(gettext_noop("The address has no host name."))
    if parts.username or parts.password:
        raise AddressRefused(gettext_noop("The address must not contain a user name or password."))
    port = port or (443 if scheme == "https" else 80)
    try:
        ips = resolver(host, port)
    except (OSError, UnicodeError):
        raise AddressRefused(gettext_noop("The host name of the address could not be found."), NOT_FOUND) from None
    if not ips:
        raise AddressRefused(gettext_noop("The host name of the address could not be found."), NOT_FOUND)
    if not all(is_public(ip, allow_loopback=allow_loopback) for ip in ips):
        raise AddressRefused(
            gettext_noop(
                "The address points into a private or internal network; deliveries go to public addresses only."
            )
        )
    return scheme, host, port, ips[0]


def category_of(exc):
    """The coarse category of a failed connection (never its raw text)."""
    if isinstance(exc, AddressRefused):
        return exc.category
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return TLS
    if isinstance(exc, ConnectionRefusedError):
        return REFUSED
    if isinstance(exc, TimeoutError | socket.timeout):
        return TIMED_OUT
    if isinstance(exc, socket.gaierror):
        return NOT_FOUND
    return FAILED
