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
