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
from django.core.cache.backends.redis import RedisCache

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


def _name(scope, key, window):
    return f"rl:{scope}:{hashlib.sha256(str(key).encode()).hexdigest()[:32]}:{int(time.time() // window)}"


def hit(scope, key):
    """Count one request of ``scope`` for ``key``; False when over the limit."""
    limit, window = settings.PUBLIC_RATE_LIMITS[scope]
    name = _name(scope, key, window)
    c = cache()
    if isinstance(c, RedisCache):
        return _redis_count(c, name, window + 5) <= limit
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


def _redis_count(c, name, timeout):
    """One INCR, and an EXPIRE on the window's first request only: one round trip on all
    others. Django's ``incr`` asks EXISTS first and its ``add`` is another trip. Should the
    EXPIRE be lost (a dropped connection), the key outlives its window in Redis but no
    longer counts: the next window has another name. The client is Django's own (its
    pool, key prefix and version), reached through the backend's ``_cache`` attribute:
    Django has no public way to a single INCR that creates the key."""
    key = c.make_and_validate_key(name)
    client = c._cache.get_client(key, write=True)
    n = client.incr(key)
    if n == 1:
        client.expire(key, timeout)
    return n


def hit_all(scope, keys):
    """``hit`` for each of ``keys``, in one round trip to Redis: False when any is over the limit."""
    keys = list(keys)
    c = cache()
    if len(keys) < 2 or not isinstance(c, RedisCache):
        return all([hit(scope, key) for key in keys])  # a list: every key counted, as with Redis
    limit, window = settings.PUBLIC_RATE_LIMITS[scope]
    names = [c.make_and_validate_key(_name(scope, key, window)) for key in keys]
    pipe = c._cache.get_client(names[0], write=True).pipeline(transaction=False)
    for name in names:
        pipe.incr(name)
        pipe.expire(name, window + 5)
    counts = pipe.execute()[::2]
    return all(n <= limit for n in counts)


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
