"""Cursor pagination: signed opaque cursors, per_page 1–100, totals from counters (never by counting rows)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterable, TypeVar

from pydantic import Field

from chalicelib.core import i18n
from chalicelib.core.errors import field_error
from chalicelib.core.schemas import Query
from chalicelib.core.settings import get_settings

T = TypeVar("T")  # a PynamoDB item (core.table is imported lazily: route modules load without botocore)


class PageQuery(Query):
    """`per_page` and `cursor`, shared by every list's query model."""

    per_page: int = Field(15, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


@dataclass
class Page(Generic[T]):
    items: list[T]
    meta: dict[str, Any]


def single_page(items: list[T], per_page: int = 15) -> Page[T]:
    """A list that comes whole in one page (a bounded list, or an empty one a filter rules out)."""
    return Page(items, {"per_page": max(per_page, len(items)), "current_page": 1, "last_page": 1,
                        "total": len(items), "next_cursor": None})


def _sign(payload: bytes) -> str:
    secret = get_settings().cursor_secret.encode()
    return base64.urlsafe_b64encode(hmac.new(secret, payload, hashlib.sha256).digest()[:18]).decode().rstrip("=")


def encode_cursor(state: dict[str, Any]) -> str:
    payload = json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
    body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{body}.{_sign(payload)}"


def decode_cursor(cursor: str, scope: str) -> dict[str, Any]:
    """Verify a cursor's signature and that it belongs to this list; anything else → 422."""
    try:
        body, signature = cursor.split(".", 1)
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        if not hmac.compare_digest(_sign(payload), signature):
            raise ValueError("bad signature")
        state = json.loads(payload)
        if state.get("s") != scope:
            raise ValueError("cursor of another list")
        return state
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise field_error("cursor", i18n.INVALID_CURSOR) from None


def paginate(
    query: Callable[[int, dict[str, Any] | None], Iterable[T]],
    *,
    params: PageQuery,
    scope: str,
    total: str | Callable[[], int],
    index: str = "",
) -> Page[T]:
    """Run one page of a key/index query: `query(limit, start_key)`; the total comes from a counter.

    `scope` names the list and its filters so a cursor cannot be replayed on another list; `index`
    names the GSI the query reads ("" for the table) so the next cursor carries its keys.
    Calls: one Query, plus one GetItem for the total on the first page (later pages carry it in the cursor).
    """
    state = decode_cursor(params.cursor, scope) if params.cursor else None
    start_key = state["k"] if state else None
    page_number = state["p"] if state else 1
    rows = list(query(params.per_page + 1, start_key))
    items = rows[: params.per_page]
    if state:
        count = int(state["t"])
    elif callable(total):
        count = total()
    else:
        from chalicelib.core.tx import read_total

        count = read_total(total)
    count = max(count, len(items))
    next_cursor = None
    if len(rows) > params.per_page:
        next_cursor = encode_cursor({"s": scope, "k": items[-1].index_key(index),  # type: ignore[attr-defined]
                                     "p": page_number + 1, "t": count})
    meta = {
        "per_page": params.per_page,
        "current_page": page_number,
        "last_page": max(1, math.ceil(count / params.per_page)),
        "total": count,
        "next_cursor": next_cursor,
    }
    return Page(items=items, meta=meta)
