"""If-Match and lost-update protection: the one path every write of the API takes.

A write reads the current item, checks `If-Match` against the ETag of the resource as its GET renders it
(writes answer that same representation, so the ETag of a write's answer and of a read are one), then writes on the condition that `version` did not move. When it moved in between: with If-Match the
client's view is stale (412); without, the change is applied again on the fresh state (nothing is lost).
A write that keeps losing until its attempts or its time run out answers 503 with `Retry-After`: the
resource is busy, not in conflict, and the same request sent again can succeed.
"""
from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from chalicelib.core.errors import AppError, PreconditionFailed, ServiceUnavailable, TxCancelled
from chalicelib.core.i18n import T

log = logging.getLogger(__name__)

C = TypeVar("C")
R = TypeVar("R")

ATTEMPTS = 3


class StaleVersion(Exception):
    """The item's version changed between the read and the conditional write."""


def commit_versioned(tx: Any, explain: Callable[[list[str]], AppError | None] | None = None, *,
                     stale: tuple[str, ...] = ("version",), created_id: str | None = None) -> None:
    """Commit a transaction (core.tx.Tx) whose version guards carry the labels `stale` (one ending in ":"
    names a family, "link:" for every link): one of them failing → StaleVersion, which guarded_write
    turns into a re-read (or 412 with If-Match); otherwise `explain(failed)` names the domain error, or
    the cancellation goes on (409). `created_id`: a create's id, for its Idempotency-Key (core.tx)."""
    try:
        tx.commit(created_id=created_id)
    except TxCancelled as exc:
        families = tuple(label for label in stale if label.endswith(":"))
        if any(label in stale or label.startswith(families or ("\0",)) for label in exc.failed):
            raise StaleVersion() from None
        error = explain(exc.failed) if explain is not None else None
        if error is not None:
            raise error from None
        raise


def matches(if_match: str, current_output: Any) -> bool:
    """Does `If-Match` name this representation (or `*`)?"""
    from chalicelib.core.responses import dump, etag_of

    wanted = [tag.strip() for tag in if_match.split(",")]
    weakless = [tag.removeprefix("W/") for tag in wanted]
    return "*" in wanted or etag_of(dump(current_output)) in weakless


def require_match(if_match: str | None, current_output: Any) -> None:
    """412 unless `If-Match` names the current representation (or is `*`)."""
    if if_match and not matches(if_match, current_output):
        raise PreconditionFailed()


def guarded_write(load: Callable[[], C], render: Callable[[C], Any] | None, write: Callable[[C], R],
                  if_match: str | None, *, attempts: int = ATTEMPTS, backoff: float = 0.0,
                  budget_seconds: float = 8.0) -> R:
    """load → (If-Match check) → write, retried on a version race when the client set no precondition.

    Hot items (a stock entry many clients write at once) pass more `attempts` and a `backoff` (seconds): a
    random pause, growing with the attempt, spreads the retries out; `budget_seconds` bounds the whole loop.
    Every attempt lost to another writer → 503 with `Retry-After` (never a 409: nothing refused the change)."""
    started = time.monotonic()
    attempt = 0
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
    raise lost_every_race("guarded_write", attempts=attempt + 1, seconds=round(time.monotonic() - started, 2))


def lost_every_race(where: str, message: T | None = None, **context: object) -> ServiceUnavailable:
    """What a write answers when other writers beat it on every attempt it had: 503 with `Retry-After`.
    Nothing refused the change, so it is not a 409; the same request sent again can succeed. Every retry
    loop of a write ends here (logged as `write lost every race`, with `where` and the loop's figures)."""
    log.warning("write lost every race", extra={"where": where, **context})
    return ServiceUnavailable(retry_after=1, message=message)


def guarded_answer(load: Callable[[], C], render: Callable[[C], Any], write: Callable[[C], C],
                   if_match: str | None) -> Any:
    """A write that answers what its read renders: `If-Match` is checked on `render(load())` (the ETag of
    the GET), `write` returns the new state, and the answer is `render(new state)`, whose ETag is the next
    read's. Every write of a resource that has a GET goes through here or through guarded_write."""
    return render(guarded_write(load, render, write, if_match))
