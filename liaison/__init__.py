"""Liaison: the shared registry of a joint anti-scam-compound liaison centre."""
