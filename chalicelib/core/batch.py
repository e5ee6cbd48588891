"""One BatchGetItem for the related records of a read (typed items, and raw counters for list totals)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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


def counter_value(raw: dict[str, Any] | None) -> int:
    return int(raw["total"]["N"]) if raw and "total" in raw else 0
