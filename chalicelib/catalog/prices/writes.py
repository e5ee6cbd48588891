"""The parts every write of an override puts in its transaction (one override, or many of one store).

In one transaction, always:
- the caller's membership of the store (`check_store_scope`: admins none; 403 otherwise),
- the store: open (not being deleted) and still in the currency the override is written in (label `store`),
- no bulk write of the store in progress (label `busy`), or, for the bulk write's own chunks, still its own,
- the product's link to the store: it must exist (422 on `store_id` otherwise) and records the variant in
  `priced_variant_ids`, so detaching the product deletes exactly its overrides (catalog/links/services.py),
- the override itself, on the version read (or absent, for a create), and its variant still there,
- the store's override total (`store_prices_total`), moved on create and delete: the stores domain refuses a
  currency change while it is above zero.
"""
from __future__ import annotations

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links.models import ProductStoreItem
from chalicelib.catalog.prices.models import PriceItem, price_item
from chalicelib.catalog.prices.policies import store_currency
from chalicelib.catalog.prices.schemas import PriceIn
from chalicelib.catalog.products.models import VariantItem
from chalicelib.core import keys
from chalicelib.core.errors import field_error
from chalicelib.core.lookups import get_item
from chalicelib.core.table import Entity, open_condition
from chalicelib.core.tx import Tx

# How long a write waits for another bulk write of the store to end; how long a staged bulk write holds the
# store before another writer may finish it.
WAIT_SECONDS = 5.0
LEASE_SECONDS = 30


def price_key_of(variant: VariantItem, store_id: str) -> tuple[str, str]:
    return keys.price_key(variant.product_id, variant.id, store_id)


def current_override(variant: VariantItem, store_id: str) -> PriceItem | None:
    """The override as it is now (consistent GetItem)."""
    return get_item(PriceItem, price_key_of(variant, store_id))


def open_store_currency(store_id: str, errors_on: str) -> str:
    """The store's currency (GetItem); a store absent or being deleted → 422 on `errors_on` (as links do)."""
    store = get_item(Entity, keys.store_key(store_id))
    if store is None or store.deleting_at:
        raise field_error(errors_on, msg.STORE_MISSING, store_id=store_id)
    return store_currency(store)


def guard_store(tx: Tx, store_id: str, currency: str) -> None:
    """The store is open and its currency is the one the overrides are written in (label `store`)."""
    tx.check(Entity, keys.store_key(store_id), open_condition() & (PriceItem.currency == currency), label="store")


def not_busy(tx: Tx, store_id: str) -> None:
    """No bulk write of the store is in progress (label `busy`): overrides never interleave with one."""
    tx.check(Entity, keys.price_batch_key(store_id), Entity.pk.does_not_exist(), label="busy")


def write_override(tx: Tx, variant: VariantItem, store_id: str, data: PriceIn, currency: str,
                   current: PriceItem | None, now: str, *, suffix: str = "") -> PriceItem:
    """The override on the version read (or absent), and its variant still there (deleting a variant deletes
    its overrides: none may appear after that delete read them). Labels `price<suffix>`, `variant<suffix>`."""
    tx.check(VariantItem, keys.variant_key(variant.product_id, variant.id), VariantItem.pk.exists(),
             label=f"variant{suffix}")
    item = price_item(variant.product_id, variant.id, store_id, currency=currency, price=data.price,
                      compare_at_price=data.compare_at_price, created_at=current.created_at if current else now,
                      updated_at=now, version=current.version + 1 if current else 1)
    tx.put(item, label=f"price{suffix}",
           condition=(PriceItem.version == current.version) if current else PriceItem.pk.does_not_exist())
    return item


def record_on_link(tx: Tx, product_id: str, store_id: str, variant_ids: set[str], *, label: str = "link") -> None:
    """The link must exist (the store carries the product) and lists the variants priced there."""
    tx.update(ProductStoreItem, keys.product_store_key(product_id, store_id),
              [ProductStoreItem.priced_variant_ids.add(variant_ids)], condition=ProductStoreItem.pk.exists(), label=label)


def forget_on_link(tx: Tx, product_id: str, store_id: str, variant_id: str) -> None:
    """The link must exist and no longer lists the variant as priced there (label `unlink`)."""
    tx.update(ProductStoreItem, keys.product_store_key(product_id, store_id),
              [ProductStoreItem.priced_variant_ids.delete({variant_id})], condition=ProductStoreItem.pk.exists(),
              label="unlink")
