"""Reading one item: by its key, or by its id alone through the gsi5 lookup partition (options, values, variants)."""
from __future__ import annotations

from typing import Any, TypeVar

from chalicelib.core import keys
from chalicelib.core.errors import NotFound
from chalicelib.core.i18n import T
from chalicelib.core.table import Entity

E = TypeVar("E", bound=Entity)


def get_item(cls: type[E], key: tuple[str, str]) -> E | None:
    """One item by key (consistent), or None."""
    try:
        return cls.get(*key, consistent_read=True)
    except cls.DoesNotExist:
        return None


def lookup(cls: type[E], kind: str, item_id: str, not_found: T) -> E:
    """The item of `cls` whose id is `item_id` (404 with `not_found` otherwise): one Query on gsi5."""
    for item in Entity.gsi5.query(keys.lookup_partition(kind, item_id), Entity.gsi5sk == kind.upper(), limit=1):
        if isinstance(item, cls):
            return item
    raise NotFound(not_found)


def lookup_attributes(kind: str, item_id: str) -> dict[str, Any]:
    """gsi5 attributes that make an item findable by id."""
    return {"gsi5pk": keys.lookup_partition(kind, item_id), "gsi5sk": kind.upper()}
