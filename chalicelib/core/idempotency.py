"""Idempotency-Key plumbing shared by the route layer and transactions (light: no AWS imports)."""
from __future__ import annotations

import hashlib
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class IdempotencyClaim:
    """Set by the route layer when a create carries an Idempotency-Key."""

    actor_id: str
    key: str
    body_hash: str
    route: str


_claim: ContextVar[IdempotencyClaim | None] = ContextVar("idempotency_claim", default=None)


def set_idempotency_claim(claim: IdempotencyClaim | None) -> None:
    _claim.set(claim)


def current_claim() -> IdempotencyClaim | None:
    return _claim.get()


class IdempotentReplay(Exception):
    """The key was already spent: the route layer replays (same body) or refuses (other body)."""

    def __init__(self, claim: IdempotencyClaim) -> None:
        super().__init__("idempotency key already used")
        self.claim = claim


def body_hash(raw: bytes | str | None) -> str:
    data = raw.encode() if isinstance(raw, str) else (raw or b"")
    return hashlib.sha256(data).hexdigest()
