"""Finding a child item (option, value, variant) by its id alone: one Query of its gsi5 lookup partition."""
from __future__ import annotations

from typing import TypeVar

from chalicelib.catalog.products.collection import visible
from chalicelib.catalog.products.models import ProductItem
from chalicelib.core import keys
from chalicelib.core.errors import NotFound
from chalicelib.core.i18n import T
from chalicelib.core.table import Entity

E = TypeVar("E", bound=Entity)


def lookup(cls: type[E], kind: str, item_id: str, not_found: T) -> E:
    """The item of `cls` whose id is `item_id` (404 with `not_found` otherwise)."""
    for item in Entity.gsi5.query(keys.lookup_partition(kind, item_id), Entity.gsi5sk == kind.upper(), limit=1):
        if isinstance(item, cls):
            return item
    raise NotFound(not_found)


def lookup_attributes(kind: str, item_id: str) -> dict[str, str]:
    """gsi5 attributes that make an item findable by id."""
    return {"gsi5pk": keys.lookup_partition(kind, item_id), "gsi5sk": kind.upper()}


def require_product_visible(product: ProductItem | None, sees_inactive: bool, not_found: T) -> ProductItem:
    """A child is visible only with its product (customers: active and not deleted)."""
    if product is None or not visible(product, sees_inactive):
        raise NotFound(not_found)
    return product


def get_product_item(product_id: str) -> ProductItem | None:
    try:
        return ProductItem.get(*keys.product_key(product_id))
    except ProductItem.DoesNotExist:
        return None
