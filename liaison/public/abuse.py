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
    return all(n <= limit for n in _redis_counts(c, [(_name(scope, key, window), window + 5) for key in keys]))


def hit_gated(gate_scope, gate_key, scope, keys):
    """``hit(gate_scope, gate_key)`` and, only when that is within its limit, ``hit_all(scope,
    keys)``: False when any is over. With Redis in one round trip (the public check of a lone
    identifier: its address and the identifier). Counting ``keys`` only behind the gate keeps
    what an address over its limit can do to everyone else's checks of an identifier what it
    was: nothing."""
    keys = list(keys)
    c = cache()
    if not isinstance(c, RedisCache):
        return hit(gate_scope, gate_key) and all([hit(scope, key) for key in keys])
    gate_limit, gate_window = settings.PUBLIC_RATE_LIMITS[gate_scope]
    limit, window = settings.PUBLIC_RATE_LIMITS[scope]
    counts = _redis_counts(c, [(_name(gate_scope, gate_key, gate_window), gate_window + 5),
                               *[(_name(scope, key, window), window + 5) for key in keys]], gate=gate_limit)
    return counts[0] <= gate_limit and len(counts) == len(keys) + 1 and all(n <= limit for n in counts[1:])


# INCR each key, with an EXPIRE on a key's first count (atomic: a script never stops half
# way, so no counter is left without its expiry). With a gate (ARGV[1] >= 0), the first key
# is counted first and the others only when its count is within the gate.
_COUNT_SCRIPT = """
local gate = tonumber(ARGV[1])
local counts = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, tonumber(ARGV[i + 1])) end
  counts[i] = n
  if i == 1 and gate >= 0 and n > gate then break end
end
return counts
"""
_script = []  # the redis-py Script, made once (Django hands out a new client object per call)


def _redis_counts(c, named, gate=-1):
    """The counts after one INCR of each (name, timeout) in ``named``: one EVALSHA, one round
    trip, however many keys (a pipeline of INCR and EXPIRE per key cost redis-py more
    packing and parsing than the round trip). Redis runs Lua scripts on any version
    Django supports; redis-py loads the script again should the server have lost it."""
    keys = [c.make_and_validate_key(name) for name, _timeout in named]
    client = c._cache.get_client(keys[0], write=True)
    if not _script:
        _script.append(client.register_script(_COUNT_SCRIPT))
    counts = _script[0](keys=keys, args=[gate, *(timeout for _name, timeout in named)], client=client)
    return [int(n) for n in counts]


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
