"""The signature on what Rasa posts to the gateway's callback (docs/security.md).

Rasa's gateway channel signs each callback body with CALLBACK_SECRET; the gateway stores a
bot message only when the signature matches. The timestamp is signed too, so a captured
callback cannot be replayed into the chat later than MAX_AGE_SECONDS.
    X-Callback-Timestamp: 1767225600
    X-Callback-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>." + body>
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Callback-Timestamp"
SIGNATURE_HEADER = "X-Callback-Signature"
MAX_AGE_SECONDS = 300  # either clock may be a little off; a replay after this is refused


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def refusal(secret: str, body: bytes, timestamp: str | None, provided: str | None,
            now: float | None = None) -> str | None:
    """Why a callback is refused, or None when it is genuine and fresh."""
    if not secret:
        return "CALLBACK_SECRET is not set"
    if not timestamp or not provided:
        return "unsigned"
    if not timestamp.isdigit() or len(timestamp) > 12:
        return "malformed timestamp"
    expected = signature(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), provided.strip().lower().encode()):
        return "wrong signature"
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE_SECONDS:
        return "stale timestamp"
    return None
