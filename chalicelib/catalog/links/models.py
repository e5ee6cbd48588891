"""Product ↔ store links: an item in the product's partition that lists the product in the store."""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UnicodeSetAttribute

from chalicelib.core.table import Entity


class ProductStoreItem(Entity, discriminator="product_store"):
    """pk PRODUCT#<pid>, sk STORE#<sid>: the product is sold in the store."""

    product_id = UnicodeAttribute()
    store_id = UnicodeAttribute()
    # The variants holding a stock record in this store, kept in the same transaction as every stock write:
    # detaching deletes exactly these records, guarded by this set being unchanged (no orphan stock).
    variant_ids = UnicodeSetAttribute(null=True)
    # The variants with a price override in this store, kept the same way (catalog/prices): detaching deletes
    # exactly these overrides, guarded by this set being unchanged (no orphan price).
    priced_variant_ids = UnicodeSetAttribute(null=True)


def store_products_partition(store_id: str) -> str:
    """gsi1 of ProductStoreItem: the products of a store (`GET /stores/{id}/products`, `GET /products?store_id=`)."""
    return f"STORE#{store_id}#PRODUCTS"


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
