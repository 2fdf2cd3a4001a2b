"""Ed25519 keys and signatures of federation payloads (plain Python, no database).

A node signs the exact bytes it sends; the receiver checks them against the public key
it was configured with for that peer. Keys travel as base64 of the raw 32 bytes: short
enough to paste into a configuration file or an environment variable.
"""
import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class KeyError_(ValueError):
    """A key that is not base64 of 32 raw bytes."""


def _raw(text, what):
    try:
        raw = base64.b64decode((text or "").strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise KeyError_(f"The {what} is not an Ed25519 key (base64 of 32 bytes).")
    return raw


def generate():
    """A new key pair as ``(private, public)`` base64 texts."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(private).decode(), base64.b64encode(public).decode()


def public_of(private_b64):
    key = Ed25519PrivateKey.from_private_bytes(_raw(private_b64, "private key"))
    return base64.b64encode(key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


def sign(private_b64, body: bytes) -> str:
    key = Ed25519PrivateKey.from_private_bytes(_raw(private_b64, "private key"))
    return base64.b64encode(key.sign(body)).decode()


def verify(public_b64, body: bytes, signature_b64) -> bool:
    """Whether ``signature_b64`` is the peer's signature of exactly ``body``."""
    try:
        key = Ed25519PublicKey.from_public_bytes(_raw(public_b64, "public key"))
        key.verify(base64.b64decode(signature_b64 or "", validate=True), body)
    except (InvalidSignature, KeyError_, binascii.Error, ValueError):
        return False
    return True
