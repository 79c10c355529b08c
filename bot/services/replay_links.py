"""Signed, expiring links to replays: HMAC-SHA256 over the replay's id and the link's end, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac


def signature(replay_id: str, expires: int, secret: str) -> str:
    return hmac.new(secret.encode(), f"{replay_id}:{expires}".encode(), hashlib.sha256).hexdigest()


def signed_url(base: str, replay_id: str, expires: int, secret: str) -> str:
    return f"{base.rstrip('/')}/replays/{replay_id}.ogg?expires={expires}&signature={signature(replay_id, expires, secret)}"


def valid(replay_id: str, expires: str, given: str, secret: str, *, now: float) -> bool:
    """The link is ours, for this replay, and not past its end."""
    try:
        end = int(expires)
    except ValueError:
        return False
    return end > now and hmac.compare_digest(signature(replay_id, end, secret), given)
