"""Keeping the public pages for people: rate limits, a honeypot, proof of work.

Rate limits count in the ``public`` cache (Redis when ``REDIS_URL`` is set,
else a database table): per client address, and per identifier checked by
everyone together, in fixed windows. The proof of work needs no third-party
service: the server hands the form a signed, dated challenge; the browser
(static/public/pow.js) finds a nonce whose SHA-256 with the challenge starts
with ``PUBLIC_POW_BITS`` zero bits; the server checks it in one hash and
accepts each challenge once. A form sent without JavaScript gets a clear error.
"""
from __future__ import annotations

import hashlib
import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import caches

SALT = "liaison.public.pow"
MAX_AGE = 2 * 3600  # a family may take its time writing a report


def cache():
    return caches["public"]


def client_address(request):
    """The client's address; behind ``TRUSTED_PROXY_COUNT`` proxies, the one they saw
    (X-Forwarded-For is ignored otherwise: a client could forge one per request)."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(chain) >= proxies:
            return chain[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def hit(scope, key):
    """Count one request of ``scope`` for ``key``; False when over the limit."""
    limit, window = settings.PUBLIC_RATE_LIMITS[scope]
    bucket = int(time.time() // window)
    name = f"rl:{scope}:{hashlib.sha256(str(key).encode()).hexdigest()[:32]}:{bucket}"
    c = cache()
    # Increment first: the window's counter usually exists, and with the database
    # cache a failed add() costs a transaction of its own on every public check.
    try:
        n = c.incr(name)
    except ValueError:  # the window's first request
        if c.add(name, 1, window + 5):
            n = 1
        else:  # another request added it meanwhile
            try:
                n = c.incr(name)
            except ValueError:  # ... and it expired already
                c.set(name, 1, window + 5)
                n = 1
    return n <= limit


def allow_address(request, scope):
    return hit(scope, client_address(request))


# Proof of work ------------------------------------------------------------------

def new_challenge():
    return signing.dumps({"r": secrets.token_hex(12), "b": settings.PUBLIC_POW_BITS}, salt=SALT, compress=False)


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + (8 - byte.bit_length())
    return bits


def solve(challenge, bits):
    """The nonce a browser would find (used by tests and the command line)."""
    nonce = 0
    while leading_zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) < bits:
        nonce += 1
    return str(nonce)


def check_work(challenge, nonce):
    """True when ``nonce`` solves a genuine, recent, unused challenge."""
    if not challenge or not nonce or len(nonce) > 20:
        return False
    try:
        data = signing.loads(challenge, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return False
    digest = hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()
    if leading_zero_bits(digest) < int(data.get("b", 0)):
        return False
    # Each challenge is good for one report.
    return cache().add("pow:" + hashlib.sha256(challenge.encode()).hexdigest()[:32], 1, MAX_AGE + 60)
