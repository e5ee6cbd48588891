"""Batch reads: several items by key in one BatchGetItem per 100 keys (typed items, raw counters), and a page
of a list joined with the items it needs in one more call."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from chalicelib.core import keys as table_keys
from chalicelib.core.pagination import Page, PageQuery, paginate
from chalicelib.core.table import Entity

MAX_KEYS = 100  # DynamoDB's BatchGetItem limit: reads cap what they include so one call suffices


def batch_read(keys: Iterable[tuple[str, str]], *, consistent: bool = False) -> dict[tuple[str, str], dict[str, Any]]:
    """Raw items by key; unprocessed keys are asked again (same logical read)."""
    wanted = list(dict.fromkeys(keys))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    if not wanted:
        return found
    connection = Entity._get_connection()
    table = connection.table_name
    for start in range(0, len(wanted), MAX_KEYS):
        chunk = wanted[start:start + MAX_KEYS]
        request: dict[str, Any] | None = {table: {
            "Keys": [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in chunk], "ConsistentRead": consistent}}
        while request:
            reply = connection.connection.dispatch("BatchGetItem", {"RequestItems": request})
            for raw in reply.get("Responses", {}).get(table, []):
                found[(raw["pk"]["S"], raw["sk"]["S"])] = raw
            request = reply.get("UnprocessedKeys") or None
    return found


def typed(raw: dict[str, Any] | None) -> Entity | None:
    """A raw item as its PynamoDB class (by discriminator); None for untyped items such as counters."""
    if not raw or "type" not in raw:
        return None
    return Entity.from_raw_data(raw)


def batch_get(keys: Iterable[tuple[str, str]], *, consistent: bool = True) -> dict[tuple[str, str], Any]:
    """Items by key (consistent by default): typed items as their Entity subclass, untyped ones (counters) raw."""
    found: dict[tuple[str, str], Any] = {}
    for key, raw in batch_read(keys, consistent=consistent).items():
        item = typed(raw)
        found[key] = raw if item is None else item
    return found


def counter_value(item: Any) -> int:
    """The total of a counter as a batch read returns it (raw, untyped), 0 when absent."""
    if isinstance(item, dict):
        return int(item.get("total", {}).get("N", 0))
    return int(getattr(item, "total", 0) or 0)


def paginate_and_fetch(query: Callable[[int, dict[str, Any] | None], Iterable[Any]], *, params: PageQuery,
                       scope: str, total: str, index: str, extra: list[tuple[str, str]],
                       target: Callable[[Any], tuple[str, str]]) -> tuple[Page[Any], dict[tuple[str, str], Any]]:
    """A page of a key/index query plus ONE BatchGetItem for what it needs: the `extra` items (the parent,
    the caller's membership), the list total (first page only) and each row's `target` item.

    So a list that joins costs Query + BatchGetItem: the total rides in the batch instead of its own GetItem.
    """
    rows: list[Any] = []
    fetched: dict[tuple[str, str], Any] = {}

    def run(limit: int, start: dict[str, Any] | None) -> list[Any]:
        rows[:] = list(query(limit, start))
        return rows

    def count() -> int:
        wanted = extra + [table_keys.counter_key(total)] + [target(r) for r in rows[:params.per_page]]
        fetched.update(batch_get(wanted))
        return counter_value(fetched.get(table_keys.counter_key(total)))

    page = paginate(run, params=params, scope=scope, total=count, index=index)
    if not fetched:  # a later page: its total came in the cursor
        fetched.update(batch_get(extra + [target(r) for r in page.items]))
    return page, fetched
