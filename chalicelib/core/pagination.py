"""Cursor pagination: signed opaque cursors, per_page 1–100, totals from counters (never by counting rows)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterable, TypeVar

from pydantic import Field

from chalicelib.core import i18n
from chalicelib.core.errors import field_error
from chalicelib.core.jsontext import parse_json
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


_KEY_NAME = re.compile(r"^(gsi[1-9])?(pk|sk)$")


def _valid_state(state: Any, scope: str) -> bool:
    """A cursor's inner fields, checked one by one: the signing key may leak (a development key is public), so
    a well-signed cursor is still client input and must not reach DynamoDB or arithmetic unchecked."""
    if not isinstance(state, dict) or state.get("s") != scope:
        return False
    key, page, total = state.get("k"), state.get("p"), state.get("t")
    if not isinstance(key, dict) or not 1 <= len(key) <= 4:
        return False
    for name, value in key.items():
        if not (isinstance(name, str) and _KEY_NAME.match(name) and isinstance(value, dict) and len(value) == 1
                and isinstance(value.get("S"), str) and 0 < len(value["S"]) <= 1024):
            return False
    return all(type(n) is int and 0 <= n <= 10**9 for n in (page, total)) and page >= 1  # type() is: no bools


def decode_cursor(cursor: str, scope: str) -> dict[str, Any]:
    """Verify a cursor's signature, that it belongs to this list and that its fields are well formed; else 422."""
    try:
        body, signature = cursor.split(".", 1)
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        if not hmac.compare_digest(_sign(payload), signature):
            raise ValueError("bad signature")
        state = parse_json(payload)
    except (ValueError, TypeError):  # JsonRejected, binascii.Error and UnicodeDecodeError are ValueErrors
        raise field_error("cursor", i18n.INVALID_CURSOR) from None
    if not _valid_state(state, scope):
        raise field_error("cursor", i18n.INVALID_CURSOR)
    return state


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
    if state and set(state["k"]) != {"pk", "sk", *((f"{index}pk", f"{index}sk") if index else ())}:
        raise field_error("cursor", i18n.INVALID_CURSOR)  # a key of another index: DynamoDB would refuse it
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


def cut_page(page: Page[T], keep: int, *, scope: str, index: str = "") -> Page[T]:
    """The first `keep` (≥ 1) items of a page from `paginate` (a read that can only afford that many), the next cursor
    starting right after the last one kept, so the following page goes on without skipping or repeating a row.
    The total stays the counter's, so `last_page` (computed from `per_page`) may then undercount the pages."""
    if keep >= len(page.items):
        return page
    items = page.items[:keep]
    cursor = encode_cursor({"s": scope, "k": items[-1].index_key(index),  # type: ignore[attr-defined]
                            "p": int(page.meta["current_page"]) + 1, "t": int(page.meta["total"])})
    return Page(items=items, meta={**page.meta, "next_cursor": cursor})
