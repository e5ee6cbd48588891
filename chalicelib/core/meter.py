"""The call meter: every DynamoDB call of a request is counted (logged, sent as X-DynamoDB-Calls when
DDB_CALLS_HEADER asks, asserted by tests); a Scan is refused. No AWS imports here, so the middleware loads cheaply."""
from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_calls: ContextVar[list[str] | None] = ContextVar("ddb_calls", default=None)


class ScanRefused(RuntimeError):
    """A Scan on a request path is a bug: every list is served by a key or an index."""


def start_metering() -> list[str]:
    """Begin counting DynamoDB calls for the current request; returns the live list of operation names."""
    calls: list[str] = []
    _calls.set(calls)
    return calls


def metered_calls() -> list[str]:
    return _calls.get() or []


def _before_call(model: Any = None, params: Any = None, **kwargs: Any) -> None:
    operation = kwargs.get("event_name", "").rsplit(".", 1)[-1]
    calls = _calls.get()
    if calls is not None:
        calls.append(operation)
    if operation == "Scan":
        raise ScanRefused("Scan is not allowed on a request path")


_metered_client_ids: set[int] = set()


def ensure_metered() -> None:
    """Hook the meter into PynamoDB's botocore client (idempotent, cheap)."""
    from chalicelib.core.table import Entity

    client = Entity._get_connection().connection.client
    if id(client) not in _metered_client_ids:
        client.meta.events.register("before-call.dynamodb", _before_call)
        _metered_client_ids.add(id(client))
