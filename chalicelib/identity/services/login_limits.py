"""Failed-login limits per e-mail and per client IP: fixed windows counted in rate-limit items (TTL)."""
from __future__ import annotations

import time
from dataclasses import dataclass

from chalicelib.core import keys
from chalicelib.core.errors import TooManyRequests
from chalicelib.core.settings import get_settings
from chalicelib.core.tx import Tx
from chalicelib.identity.models import RateWindowItem


@dataclass(frozen=True)
class Window:
    """The current window of one subject: its key, its failures so far, when it ends."""

    key: tuple[str, str]
    failures: int
    ends_at: int


def window_keys(email: str, client_ip: str, now: float | None = None) -> list[tuple[str, str]]:
    """The keys of the current windows of this e-mail and this IP (read with the login's BatchGetItem)."""
    number = _window_number(now)
    return [keys.rate_limit_key("login-email", email, number), keys.rate_limit_key("login-ip", client_ip, number)]


def _window_number(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // get_settings().login_window_seconds)


def windows(found: dict[tuple[str, str], object], wanted: list[tuple[str, str]]) -> list[Window]:
    """Windows as read (absent ones have no failures)."""
    seconds = get_settings().login_window_seconds
    ends_at = (_window_number() + 1) * seconds
    result = []
    for key in wanted:
        item = found.get(key)
        failures = int(item.failures) if isinstance(item, RateWindowItem) else 0
        result.append(Window(key, failures, ends_at))
    return result


def refuse_if_exhausted(current: list[Window]) -> None:
    """429 with Retry-After once either subject has used up its failures in this window."""
    if any(window.failures >= get_settings().login_max_failures for window in current):
        raise _too_many(current[0].ends_at)


def record_failure(current: list[Window]) -> None:
    """Count one failure on both windows, atomically and only below the limit (concurrent failures never
    push a window past it); a refused count means the limit was reached meanwhile → 429."""
    from chalicelib.core.tx import TxCancelled

    limit = get_settings().login_max_failures
    tx = Tx()
    for window in current:
        tx.update(RateWindowItem, window.key,
                  [RateWindowItem.failures.add(1), RateWindowItem.type.set(RateWindowItem),
                   RateWindowItem.expires_at.set(window.ends_at + 60)],
                  condition=RateWindowItem.failures.does_not_exist() | (RateWindowItem.failures < limit),
                  label=window.key[0])
    try:
        tx.commit()
    except TxCancelled:
        raise _too_many(current[0].ends_at) from None


def forget_email_failures(tx: Tx, current: list[Window]) -> None:
    """A successful login clears its e-mail's failures (never the IP's: one valid account must not
    reset an address that is guessing others')."""
    email_window = current[0]
    if email_window.failures:
        tx.delete(RateWindowItem, email_window.key, label="forget-failures")


def _too_many(ends_at: int) -> TooManyRequests:
    return TooManyRequests(retry_after=max(1, ends_at - int(time.time())))
