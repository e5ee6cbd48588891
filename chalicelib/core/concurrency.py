"""If-Match and lost-update protection: the one path every write of the API takes.

A write reads the current item, checks `If-Match` against the ETag of the resource as its GET renders it,
then writes on the condition that `version` did not move. When it moved in between: with If-Match the
client's view is stale (412); without, the change is applied again on the fresh state (nothing is lost).
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from chalicelib.core.errors import Conflict, PreconditionFailed

C = TypeVar("C")
R = TypeVar("R")

ATTEMPTS = 3


class StaleVersion(Exception):
    """The item's version changed between the read and the conditional write."""


def matches(if_match: str, current_output: Any) -> bool:
    """Does `If-Match` name this representation (or `*`)?"""
    from chalicelib.core.http import dump, etag_of

    wanted = [tag.strip() for tag in if_match.split(",")]
    weakless = [tag.removeprefix("W/") for tag in wanted]
    return "*" in wanted or etag_of(dump(current_output)) in weakless


def require_match(if_match: str | None, current_output: Any) -> None:
    """412 unless `If-Match` names the current representation (or is `*`)."""
    if if_match and not matches(if_match, current_output):
        raise PreconditionFailed()


def require_match_either(if_match: str | None, own: Any, full: Callable[[], Any]) -> None:
    """412 unless `If-Match` names `own` (what writes answer) or the `full` representation a read renders
    (built only when `own` does not match: it may cost a read)."""
    if if_match and not matches(if_match, own):
        require_match(if_match, full())


def guarded_write(load: Callable[[], C], render: Callable[[C], Any] | None, write: Callable[[C], R],
                  if_match: str | None, *, attempts: int = ATTEMPTS, backoff: float = 0.0,
                  budget_seconds: float = 8.0) -> R:
    """load → (If-Match check) → write, retried on a version race when the client set no precondition.

    Hot items (a stock entry many clients write at once) pass more `attempts` and a `backoff` (seconds): a
    random pause, growing with the attempt, spreads the retries out; `budget_seconds` bounds the whole loop."""
    started = time.monotonic()
    for attempt in range(attempts):
        current = load()
        if if_match and render is not None:
            require_match(if_match, render(current))
        try:
            return write(current)
        except StaleVersion:
            if if_match:
                raise PreconditionFailed() from None
        if time.monotonic() - started > budget_seconds:
            break
        if backoff:
            time.sleep(random.uniform(0, backoff * min(attempt + 1, 8)))  # noqa: S311 - jitter, not a secret
    raise Conflict()
