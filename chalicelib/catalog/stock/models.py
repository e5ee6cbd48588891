"""Stock records: units of a variant in a store, in the product's partition."""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.core.table import Entity


class StockItem(Entity, discriminator="stock"):
    """pk PRODUCT#<pid>, sk STOCK#<vid>#<sid>: units of a variant in a store (never below zero)."""

    product_id = UnicodeAttribute()
    variant_id = UnicodeAttribute()
    store_id = UnicodeAttribute()
    quantity = NumberAttribute(default=0)


def store_stock_partition(store_id: str) -> str:
    """gsi1 of StockItem: every stock record of a store (store deletion cleans them up)."""
    return f"STORE#{store_id}#STOCK"


def stock_item(product_id: str, variant_id: str, store_id: str, quantity: int) -> StockItem:
    from chalicelib.core import keys
    from chalicelib.core.table import now_iso

    pk, sk = keys.stock_key(product_id, variant_id, store_id)
    now = now_iso()
    return StockItem(pk, sk, product_id=product_id, variant_id=variant_id, store_id=store_id, quantity=quantity,
                     created_at=now, updated_at=now, gsi1pk=store_stock_partition(store_id),
                     gsi1sk=f"{product_id}#{variant_id}",
                     # next to the variant in its gsi5 lookup partition: a variant read gets its stock in the same Query
                     gsi5pk=keys.lookup_partition("VARIANT", variant_id), gsi5sk=f"STOCK#{store_id}")
