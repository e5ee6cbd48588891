"""A variant by its id alone, through its pointer (`VARIANT#<vid>` / `VARIANT`, VariantPointerItem): written
and deleted in the variant's own create and delete transactions, so a request naming many variants (a store's
bulk prices, a reservation) reads all their pointers in the one BatchGetItem it makes anyway."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.catalog.products.models import VariantItem, VariantPointerItem
from chalicelib.catalog.variants.services import get_variant
from chalicelib.core import keys
from chalicelib.core.errors import NotFound


def variant_by_pointer(variant_id: str, found: Mapping[tuple[str, str], Any]) -> VariantItem | None:
    """The variant by its pointer in `found` (what the caller's batch read, `keys.variant_pointer_key`); a
    variant created before pointers existed by its gsi5 lookup (one Query); None when there is no such variant.
    From a pointer only the variant's keys are known: a write checks its existence again."""
    pointer = found.get(keys.variant_pointer_key(variant_id))
    if isinstance(pointer, VariantPointerItem):
        return VariantItem(*keys.variant_key(pointer.product_id, variant_id), id=variant_id,
                           product_id=pointer.product_id)
    try:
        return get_variant(variant_id)
    except NotFound:
        return None
