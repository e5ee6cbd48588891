"""Store items of the single table: stores, memberships, product links and stock."""
from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute

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


class StoreMemberItem(Entity, discriminator="store_member"):
    """pk STORE#<sid>, sk MEMBER#<uid>: the user works in the store."""

    store_id = UnicodeAttribute()
    user_id = UnicodeAttribute()


class ProductStoreItem(Entity, discriminator="product_store"):
    """pk PRODUCT#<pid>, sk STORE#<sid>: the product is sold in the store."""

    product_id = UnicodeAttribute()
    store_id = UnicodeAttribute()


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
                            gsi1pk=store_products_partition(store_id), gsi1sk=product_id)


def stock_item(product_id: str, variant_id: str, store_id: str, quantity: int) -> StockItem:
    from chalicelib.core import keys
    from chalicelib.core.table import now_iso

    pk, sk = keys.stock_key(product_id, variant_id, store_id)
    now = now_iso()
    return StockItem(pk, sk, product_id=product_id, variant_id=variant_id, store_id=store_id, quantity=quantity,
                     created_at=now, updated_at=now, gsi1pk=store_stock_partition(store_id),
                     gsi1sk=f"{product_id}#{variant_id}")
