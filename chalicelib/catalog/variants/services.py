"""Variants: SKU unique across the catalog, one value per option of the variant's own product, unique
combinations, usage counts on the values and options they use, stock removed with the variant."""
from __future__ import annotations

from collections import Counter as Tally
from decimal import Decimal
from typing import Any, NamedTuple

from ulid import ULID

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links import policies as store_policies
from chalicelib.catalog.links.models import ProductStoreItem
from chalicelib.catalog.options.services import options_range
from chalicelib.catalog.prices.models import PriceItem, store_prices_total
from chalicelib.catalog.products.collection import Collection, load_collection, require_live, require_product_visible
from chalicelib.catalog.products.models import (
    OptionItem,
    OptionValueItem,
    ProductItem,
    VariantItem,
    VariantPointerItem,
)
from chalicelib.catalog.products.schemas import VariantCreate
from chalicelib.catalog.stock.models import StockItem, require_unheld
from chalicelib.core import keys
from chalicelib.core.concurrency import StaleVersion
from chalicelib.core.errors import NotFound, ValidationFailed, field_error
from chalicelib.core.lookups import lookup, lookup_attributes
from chalicelib.core.table import Entity, now_iso
from chalicelib.core.tx import MAX_ITEMS, Tx, TxCancelled

MAX_VARIANTS = 2048
SKU_KIND = "sku"


def sku_key(sku: str) -> str:
    """SKUs are unique regardless of case ("ab-1" and "AB-1" are the same article)."""
    return sku.casefold()


def get_variant(variant_id: str) -> VariantItem:
    return lookup(VariantItem, "VARIANT", variant_id, msg.VARIANT_NOT_FOUND)


def variant_records(variant: VariantItem) -> list[StockItem | PriceItem]:
    """The variant's stock records and price overrides (one consistent Query: sk STOCK#<variant>#…)."""
    prefix = keys.variant_stock_prefix(variant.id)
    return [item for item in Entity.query(variant.pk, Entity.sk.startswith(prefix), consistent_read=True)
            if isinstance(item, (StockItem, PriceItem))]


def _drop_record(tx: Tx, record: StockItem | PriceItem) -> None:
    """Delete a stock record, or a price override with its trace on the link and the store's override total."""
    if isinstance(record, PriceItem):
        tx.update(ProductStoreItem, keys.product_store_key(record.product_id, record.store_id),
                  [ProductStoreItem.priced_variant_ids.delete({record.variant_id})],
                  condition=ProductStoreItem.pk.exists(), label=f"link:{record.store_id}")
        tx.count(store_prices_total(record.store_id), -1)
        tx.delete(Entity, (record.pk, record.sk), label=f"price:{record.store_id}")
    else:  # on the version read: a hold taken since makes the delete read again (and refuse if units are held)
        tx.delete(StockItem, (record.pk, record.sk), condition=StockItem.version == record.version,
                  label=f"stock:{record.store_id}")


def _cost(record: StockItem | PriceItem) -> int:
    return 3 if isinstance(record, PriceItem) else 1


def require_compare_at_not_below(price: str, compare_at_price: str | None) -> None:
    """API.md §7: compare_at_price, when given, is ≥ price (422 on compare_at_price otherwise)."""
    if compare_at_price is not None and Decimal(compare_at_price) < Decimal(price):
        raise field_error("compare_at_price", msg.COMPARE_AT_BELOW_PRICE)


def _validate_values(found: Collection, value_ids: list[str]) -> list[OptionValueItem]:
    """Values must belong to this product's options, at most one per option (else 422)."""
    by_id = {value.id: value for value in found.values}
    options = {option.id for option in found.options}
    unknown = [v for v in value_ids if v not in by_id or by_id[v].option_id not in options]
    if unknown:
        raise field_error("option_value_ids", msg.VALUES_UNKNOWN, ids=", ".join(unknown))
    chosen = [by_id[v] for v in value_ids]
    if len({value.option_id for value in chosen}) != len(chosen):
        raise field_error("option_value_ids", msg.VALUES_SAME_OPTION)
    return chosen


Pair = tuple[str, str]  # (option id, value id)


def pairs_of(variant: VariantItem) -> list[Pair]:
    return list(zip(variant.option_ids or [], variant.option_value_ids or []))


def _usage(tx: Tx, product_id: str, before: list[Pair], after: list[Pair]) -> None:
    """Move the usage counts of values and options by the net change (one operation per item)."""
    value_delta: Tally[Pair] = Tally()
    option_delta: Tally[str] = Tally()
    for (option_id, value_id), sign in [(p, -1) for p in before] + [(p, 1) for p in after]:
        value_delta[(option_id, value_id)] += sign
        option_delta[option_id] += sign
    for (option_id, value_id), delta in sorted(value_delta.items()):
        if delta:
            tx.update(OptionValueItem, keys.option_value_key(product_id, option_id, value_id),
                      [OptionValueItem.variants_count.add(delta)], condition=OptionValueItem.pk.exists(),
                      label=f"value:{value_id}")
    for option_id, delta in sorted(option_delta.items()):
        if delta:
            tx.update(OptionItem, keys.option_key(product_id, option_id), [OptionItem.variants_count.add(delta)],
                      condition=OptionItem.pk.exists(), label=f"option:{option_id}")


def _raise_for(exc: TxCancelled) -> None:
    failed = set(exc.failed)
    errors: dict[str, list[str]] = {}
    if "sku" in failed:
        errors["sku"] = [msg.SKU_TAKEN.render()]
    if "combination" in failed:
        errors["option_value_ids"] = [msg.COMBINATION_TAKEN.render()]
    gone = [label.split(":", 1)[1] for label in failed if label.startswith(("value:", "option:"))]
    if gone:
        errors.setdefault("option_value_ids", []).append(msg.VALUES_UNKNOWN.render(ids=", ".join(gone)))
    if errors:
        raise ValidationFailed(errors=errors) from None
    if "version" in failed or any(label.startswith("stock:") for label in failed):
        raise StaleVersion() from None
    if "product" in failed:
        raise NotFound(msg.PRODUCT_NOT_FOUND) from None
    raise exc


def create_variant(product_id: str, data: VariantCreate) -> VariantItem:
    """Add a variant to a live product (≤ 2,048): one read of its options, then one transaction."""
    require_compare_at_not_below(data.price, data.compare_at_price)
    found = options_range(product_id)
    product = require_live(found.product)
    if int(product.variants_count or 0) >= MAX_VARIANTS:
        raise field_error("sku", msg.VARIANT_LIMIT, max=MAX_VARIANTS)
    chosen = _validate_values(found, data.option_value_ids)
    variant_id = str(ULID())
    now = now_iso()
    variant = VariantItem(*keys.variant_key(product_id, variant_id), id=variant_id, product_id=product_id,
                          sku=data.sku, price=data.price, compare_at_price=data.compare_at_price,
                          option_value_ids=[v.id for v in chosen] or None,
                          option_ids=[v.option_id for v in chosen] or None, is_active=data.is_active,
                          created_at=now, updated_at=now, **lookup_attributes("VARIANT", variant_id))
    tx = Tx()
    tx.create(variant, label="variant")
    tx.put(VariantPointerItem(*keys.variant_pointer_key(variant_id), product_id=product_id, created_at=now,
                              updated_at=now))
    tx.reserve(SKU_KIND, sku_key(data.sku), variant_id, label="sku")
    tx.reserve(*keys.variant_combination_unique(product_id, data.option_value_ids), variant_id, label="combination")
    tx.update(ProductItem, keys.product_key(product_id),
              [ProductItem.variants_count.add(1), ProductItem.variant_ids.add({variant_id})],
              condition=ProductItem.pk.exists() & ProductItem.deleted_at.does_not_exist()
              & (ProductItem.variants_count < MAX_VARIANTS), label="product")
    _usage(tx, product_id, [], [(v.option_id, v.id) for v in chosen])
    try:
        tx.commit(created_id=variant_id)
    except TxCancelled as exc:
        _raise_for(exc)
    return variant


class VariantRead(NamedTuple):
    variant: VariantItem
    stock: list[StockItem]  # in the stores the reader sees
    raw: dict  # the BatchGetItem's items (product, gallery files, stores, the store-context link)
    prices: list[PriceItem]  # the variant's overrides, in the stores the reader sees


def variant_partition(variant_id: str) -> tuple[VariantItem, list[Any]]:
    """The variant and everything its gsi5 partition holds (its stock records, its overrides): one Query of an
    index (eventually consistent: writes condition on what they read); 404 without the variant."""
    found = list(Entity.gsi5.query(keys.lookup_partition("VARIANT", variant_id)))
    variant = next((item for item in found if isinstance(item, VariantItem)), None)
    if variant is None:
        raise NotFound(msg.VARIANT_NOT_FOUND)
    return variant, found


def read_variant(variant_id: str, *, sees_inactive: bool, sees_inactive_stores: bool, gallery: bool = True,
                 store_id: str | None = None) -> VariantRead:
    """A variant with its stock and price overrides (in shown stores) and gallery; customers only see active
    variants of visible products.

    Calls: one Query of the variant's gsi5 partition (the variant, its stock records and its overrides, which
    carry gsi5sk `STOCK#<store>` / `PRICE#<store>`), one BatchGetItem (the product, for visibility, the
    gallery's files, the store of a store-context read, and the stock's and overrides' stores for readers who
    do not see every store).
    """
    from chalicelib.core.batch import MAX_KEYS, batch_read, typed

    variant, found = variant_partition(variant_id)
    if not sees_inactive and not variant.is_active:
        raise NotFound(msg.VARIANT_NOT_FOUND)
    stock = sorted((item for item in found if isinstance(item, StockItem)), key=lambda item: item.store_id)
    prices = sorted((item for item in found if isinstance(item, PriceItem)), key=lambda item: item.store_id)
    wanted = [keys.product_key(variant.product_id)]
    if store_id:  # a store-context read: the store (currency, visibility) and the product's link to it
        wanted += [keys.store_key(store_id), keys.product_store_key(variant.product_id, store_id)]
    wanted += store_policies.stock_store_keys([*stock, *prices], sees_inactive=sees_inactive_stores)
    wanted += [keys.file_key(f) for f in variant.gallery or []] if gallery else []
    raw = batch_read(list(dict.fromkeys(wanted))[:MAX_KEYS])
    product = typed(raw.get(keys.product_key(variant.product_id)))
    require_product_visible(product if isinstance(product, ProductItem) else None, sees_inactive,
                            msg.VARIANT_NOT_FOUND)
    return VariantRead(variant, store_policies.shown_stock(stock, raw, sees_inactive=sees_inactive_stores), raw,
                       store_policies.shown_stock(prices, raw, sees_inactive=sees_inactive_stores))


def list_variants(product_id: str, *, sees_inactive: bool) -> Collection:
    """The product's collection (one Query): its variants with their stock."""
    found = load_collection(product_id)
    require_product_visible(found.product, sees_inactive, msg.PRODUCT_NOT_FOUND)
    if not sees_inactive:
        found.variants = [v for v in found.variants if v.is_active]
    found.variants.sort(key=lambda v: v.id)
    return found


def update_variant(variant: VariantItem, changes: dict[str, Any]) -> VariantItem:
    """Change a variant; a new SKU or combination is reserved and the old one released, atomically."""
    new = {f: changes.get(f, getattr(variant, f)) for f in ("sku", "price", "compare_at_price", "is_active")}
    require_compare_at_not_below(new["price"], new["compare_at_price"])  # against the stored value on PATCH
    old_ids = list(variant.option_value_ids or [])
    new_ids = list(changes["option_value_ids"]) if changes.get("option_value_ids") is not None else old_ids
    now = now_iso()
    tx = Tx()
    actions = [VariantItem.sku.set(new["sku"]), VariantItem.price.set(new["price"]),
               VariantItem.is_active.set(bool(new["is_active"])), VariantItem.updated_at.set(now),
               VariantItem.version.add(1)]
    actions.append(VariantItem.compare_at_price.set(new["compare_at_price"]) if new["compare_at_price"] is not None
                   else VariantItem.compare_at_price.remove())
    actions.append(VariantItem.option_value_ids.set(new_ids) if new_ids else VariantItem.option_value_ids.remove())
    if sku_key(new["sku"]) != sku_key(variant.sku):
        tx.release(SKU_KIND, sku_key(variant.sku))
        tx.reserve(SKU_KIND, sku_key(new["sku"]), variant.id, label="sku")
    if sorted(new_ids) != sorted(old_ids):
        found = options_range(variant.product_id)
        require_live(found.product)
        after = _validate_values(found, new_ids)
        new_option_ids = [v.option_id for v in after]
        tx.release(*keys.variant_combination_unique(variant.product_id, old_ids))
        tx.reserve(*keys.variant_combination_unique(variant.product_id, new_ids), variant.id, label="combination")
        _usage(tx, variant.product_id, pairs_of(variant), [(v.option_id, v.id) for v in after])
        actions.append(VariantItem.option_ids.set(new_option_ids) if new_option_ids else VariantItem.option_ids.remove())
    tx.update(VariantItem, (variant.pk, variant.sk), actions, condition=VariantItem.version == variant.version,
              label="version")
    tx.check(ProductItem, keys.product_key(variant.product_id),
             ProductItem.pk.exists() & ProductItem.deleted_at.does_not_exist(), label="product")
    try:
        tx.commit()
    except TxCancelled as exc:
        _raise_for(exc)
    for field, value in new.items():
        setattr(variant, field, value)
    if sorted(new_ids) != sorted(old_ids):
        variant.option_ids = new_option_ids or None
    variant.option_value_ids = new_ids or None
    variant.updated_at, variant.version = now, variant.version + 1
    return variant


def delete_variant(variant: VariantItem) -> None:
    """Delete a variant, its stock records and price overrides, its SKU and combination, and its usage counts:
    one transaction (records past its size go first, in transactions guarded by the variant's version).
    Refused (409) while any of its stock records holds units for an active reservation."""
    records = variant_records(variant)
    require_unheld((record for record in records if isinstance(record, StockItem)), now_iso())
    old_ids = list(variant.option_value_ids or [])
    room = MAX_ITEMS - 7 - 2 * len(old_ids)  # the variant, its pointer, SKU, combination, product, usage counts
    head: list[StockItem | PriceItem] = []
    while records and sum(map(_cost, head)) + _cost(records[0]) <= room:
        head.append(records.pop(0))
    if records:  # a variant stocked or priced in more stores than one transaction holds: the extra go first
        first = Tx()
        first.check(VariantItem, (variant.pk, variant.sk), VariantItem.version == variant.version, label="version")
        while records and len(first) + _cost(records[0]) <= MAX_ITEMS:
            _drop_record(first, records.pop(0))
        try:
            first.commit()
        except TxCancelled as exc:
            _raise_for(exc)
        if records:
            raise StaleVersion()  # read again: the rest goes on the next attempt
    tx = Tx()
    tx.delete(VariantItem, (variant.pk, variant.sk), condition=VariantItem.version == variant.version, label="version")
    tx.delete(VariantPointerItem, keys.variant_pointer_key(variant.id))
    for record in head:
        _drop_record(tx, record)
    tx.release(SKU_KIND, sku_key(variant.sku))
    tx.release(*keys.variant_combination_unique(variant.product_id, old_ids), label="release:combination")
    tx.update(ProductItem, keys.product_key(variant.product_id),
              [ProductItem.variants_count.add(-1), ProductItem.variant_ids.delete({variant.id})],
              condition=ProductItem.pk.exists(), label="product")
    _usage(tx, variant.product_id, pairs_of(variant), [])
    try:
        tx.commit()
    except TxCancelled as exc:
        _raise_for(exc)
