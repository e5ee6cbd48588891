"""Price overrides: a variant's price in one store, stored in the product's partition next to its stock."""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from chalicelib.core.table import Entity


class PriceItem(Entity, discriminator="price"):
    """pk PRODUCT#<pid>, sk STOCK#<vid>#PRICE#<sid> (keys.price_key): what the variant costs in that store, in the store's
    currency (copied at write time; the store's currency cannot change while it has overrides)."""

    product_id = UnicodeAttribute()
    variant_id = UnicodeAttribute()
    store_id = UnicodeAttribute()
    currency = UnicodeAttribute()
    price = UnicodeAttribute()
    compare_at_price = UnicodeAttribute(null=True)


def store_prices_total(store_id: str) -> str:
    """The number of overrides a store has: its currency may change only while this is 0 (stores domain)."""
    return f"store:{store_id}:prices"


def variant_price_sk(store_id: str) -> str:
    """gsi5 sort key of an override: next to its variant (gsi5 VARIANT#<vid>), so a variant read gets it."""
    return f"PRICE#{store_id}"


def price_item(product_id: str, variant_id: str, store_id: str, *, currency: str, price: str,
               compare_at_price: str | None, created_at: str, updated_at: str, version: int = 1) -> PriceItem:
    from chalicelib.core import keys

    pk, sk = keys.price_key(product_id, variant_id, store_id)
    return PriceItem(pk, sk, product_id=product_id, variant_id=variant_id, store_id=store_id, currency=currency,
                     price=price, compare_at_price=compare_at_price, created_at=created_at, updated_at=updated_at,
                     version=version, gsi5pk=keys.lookup_partition("VARIANT", variant_id),
                     gsi5sk=variant_price_sk(store_id))


class PriceBatchItem(Entity, discriminator="price_batch"):
    """pk STORE#<sid>, sk PRICEBATCH (keys.price_batch_key): a bulk price write of the store in progress, when
    it needs more than one transaction. While it exists no other override of the store is written; `rows` (the
    request, as JSON) lets any later writer finish it once its lease (`lease_until`) has passed, so a bulk
    write interrupted half-way still ends with all its rows. DynamoDB's TTL removes a forgotten one."""

    token = UnicodeAttribute()
    currency = UnicodeAttribute()
    rows = UnicodeAttribute()
    lease_until = UnicodeAttribute()
