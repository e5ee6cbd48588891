"""Store items of the single table: stores, memberships, product links and stock."""
from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)

from chalicelib.core.table import Entity


class StoreItem(Entity, discriminator="store"):
    """pk STORE#<id>, sk STORE."""

    id = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    currency = UnicodeAttribute(default="EUR")
    address = JSONAttribute(null=True)
    is_active = BooleanAttribute(default=True)
    # Set when DELETE begins: the store leaves every list and accepts no new link; cleanup then removes it.
    deleting_at = UnicodeAttribute(null=True)


class StoreMemberItem(Entity, discriminator="store_member"):
    """pk STORE#<sid>, sk MEMBER#<uid>: the user works in the store; gsi1 USER#<uid>#STORES/<sid>."""

    store_id = UnicodeAttribute()
    user_id = UnicodeAttribute()


class ProductStoreItem(Entity, discriminator="product_store"):
    """pk PRODUCT#<pid>, sk STORE#<sid>: the product is sold in the store."""

    product_id = UnicodeAttribute()
    store_id = UnicodeAttribute()
    # The variants holding a stock record in this store, kept in the same transaction as every stock write:
    # detaching deletes exactly these records, guarded by this set being unchanged (no orphan stock).
    variant_ids = UnicodeSetAttribute(null=True)


class StockItem(Entity, discriminator="stock"):
    """pk PRODUCT#<pid>, sk STOCK#<vid>#<sid>: units of a variant in a store (never below zero)."""

    product_id = UnicodeAttribute()
    variant_id = UnicodeAttribute()
    store_id = UnicodeAttribute()
    quantity = NumberAttribute(default=0)


def store_products_partition(store_id: str) -> str:
    """gsi1 of ProductStoreItem: the products of a store (`GET /stores/{id}/products`, `GET /products?store_id=`)."""
    return f"STORE#{store_id}#PRODUCTS"


def store_stock_partition(store_id: str) -> str:
    """gsi1 of StockItem: every stock record of a store (store deletion cleans them up)."""
    return f"STORE#{store_id}#STOCK"


def store_products_total(store_id: str) -> str:
    return f"store:{store_id}:products"


def product_store_item(product_id: str, store_id: str) -> ProductStoreItem:
    """The link item both the products and the stores domains write."""
    from chalicelib.core import keys
    from chalicelib.core.table import now_iso

    pk, sk = keys.product_store_key(product_id, store_id)
    now = now_iso()
    return ProductStoreItem(pk, sk, product_id=product_id, store_id=store_id, created_at=now, updated_at=now,
                            gsi1pk=store_products_partition(store_id), gsi1sk=product_id,
                            gsi3pk=keys.store_links_partition(store_id), gsi3sk=product_id)


def stock_item(product_id: str, variant_id: str, store_id: str, quantity: int) -> StockItem:
    from chalicelib.core import keys
    from chalicelib.core.table import now_iso

    pk, sk = keys.stock_key(product_id, variant_id, store_id)
    now = now_iso()
    return StockItem(pk, sk, product_id=product_id, variant_id=variant_id, store_id=store_id, quantity=quantity,
                     created_at=now, updated_at=now, gsi1pk=store_stock_partition(store_id),
                     gsi1sk=f"{product_id}#{variant_id}")


# --- list totals kept by the stores domain (moved in the same transaction as the writes) ------------
STORES_ALL = "stores:all"


def stores_state_total(is_active: bool) -> str:
    return "stores:active" if is_active else "stores:inactive"


def store_members_total(store_id: str) -> str:
    return f"store:{store_id}:users"


def store_member_item(store_id: str, user_id: str) -> StoreMemberItem:
    from chalicelib.core import keys
    from chalicelib.core.table import now_iso

    pk, sk = keys.store_member_key(store_id, user_id)
    now = now_iso()
    return StoreMemberItem(pk, sk, store_id=store_id, user_id=user_id, created_at=now, updated_at=now,
                           gsi1pk=keys.user_stores_partition(user_id), gsi1sk=store_id)


def store_open_condition():  # type: ignore[no-untyped-def]
    """What a write that attaches something to a store requires of it: it exists and is not being deleted.
    (Other domains linking products to stores use it in their `tx.check`.)"""
    return StoreItem.pk.exists() & StoreItem.deleting_at.does_not_exist()
