"""Store prices: a store's override of a variant's base price (read, set, delete, set many at once).

Every write of an override, in one transaction:
- the caller's membership of the store (`check_store_scope`: admins none; 403 otherwise),
- the store: open (not being deleted) and still in the currency the override is written in (label `store`),
- the product's link to the store: it must exist (422 on `store_id` otherwise) and records the variant in
  `priced_variant_ids`, so detaching the product deletes exactly its overrides (catalog/links/services.py),
- the override itself, on the version read (or absent, for a create),
- the store's override total (`store_prices_total`), moved on create and delete: the stores domain refuses a
  currency change while it is above zero.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links.models import ProductStoreItem
from chalicelib.catalog.links.policies import (
    check_store_scope,
    out_of_store_scope,
    require_store_scope,
    store_scope_keys,
)
from chalicelib.catalog.prices.models import PriceItem, price_item, store_prices_total
from chalicelib.catalog.prices.policies import base_currency
from chalicelib.catalog.prices.schemas import PriceIn, PriceRow
from chalicelib.catalog.products.models import VariantItem
from chalicelib.catalog.products.render import price_out
from chalicelib.catalog.variants.services import VariantRead, read_variant, require_compare_at_not_below
from chalicelib.core import keys
from chalicelib.core.batch import batch_get
from chalicelib.core.concurrency import ATTEMPTS, require_match
from chalicelib.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
    field_error,
)
from chalicelib.core.lookups import get_item
from chalicelib.core.table import Entity, now_iso, open_condition
from chalicelib.core.tx import MAX_ITEMS, Tx, TxCancelled
from chalicelib.identity.authn import Principal


# --- reads ------------------------------------------------------------------------------------------
def variant_prices(variant_id: str, *, sees_inactive: bool, sees_inactive_stores: bool) -> VariantRead:
    """The variant read without its gallery: one Query of its gsi5 partition (variant, stock, overrides) and
    one BatchGetItem (product for visibility; for customers the overrides' stores: inactive ones are hidden)."""
    return read_variant(variant_id, sees_inactive=sees_inactive, sees_inactive_stores=sees_inactive_stores,
                        gallery=False)


def get_price(variant_id: str, store_id: str, *, sees_inactive: bool, sees_inactive_stores: bool) -> PriceItem:
    found = variant_prices(variant_id, sees_inactive=sees_inactive, sees_inactive_stores=sees_inactive_stores)
    for item in found.prices:
        if item.store_id == store_id:
            return item
    raise NotFound(msg.PRICE_NOT_FOUND)


# --- one override -----------------------------------------------------------------------------------
def _variant_and_prices(variant_id: str) -> tuple[VariantItem, list[PriceItem]]:
    """The variant and its overrides: one Query of its gsi5 partition (an index: eventually consistent, so
    every write below is conditioned on what it read and re-reads on a miss)."""
    found = list(Entity.gsi5.query(keys.lookup_partition("VARIANT", variant_id)))
    variant = next((item for item in found if isinstance(item, VariantItem)), None)
    if variant is None:
        raise NotFound(msg.VARIANT_NOT_FOUND)
    return variant, [item for item in found if isinstance(item, PriceItem)]


def _current(variant: VariantItem, store_id: str) -> PriceItem | None:
    return get_item(PriceItem, keys.price_key(variant.product_id, variant.id, store_id))


def _store_currency(store_id: str, errors_on: str) -> str:
    """The store's currency (GetItem); a store absent or being deleted → 422 on `errors_on` (as links do)."""
    store = get_item(Entity, keys.store_key(store_id))
    if store is None or store.deleting_at:
        raise field_error(errors_on, msg.STORE_MISSING, store_id=store_id)
    return str(getattr(store, "currency", None) or base_currency())


def _guard_store(tx: Tx, store_id: str, currency: str) -> None:
    """The store is open and its currency is the one the overrides are written in (label `store`)."""
    tx.check(Entity, keys.store_key(store_id), open_condition() & (PriceItem.currency == currency), label="store")


def _write_override(tx: Tx, variant: VariantItem, store_id: str, data: PriceIn, currency: str,
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


def _record_on_link(tx: Tx, product_id: str, store_id: str, variant_ids: set[str], *, label: str = "link") -> None:
    """The link must exist (the store carries the product) and lists the variants priced there."""
    tx.update(ProductStoreItem, keys.product_store_key(product_id, store_id),
              [ProductStoreItem.priced_variant_ids.add(variant_ids)], condition=ProductStoreItem.pk.exists(), label=label)


def set_price(variant_id: str, store_id: str, data: PriceIn, *, actor: Principal,
              if_match: str | None = None) -> tuple[PriceItem, bool]:
    """PUT: create or replace the override; (the override, created?). Calls: the gsi5 Query, one transaction
    (plus, with If-Match, a consistent GetItem of the override; plus a GetItem of the store and a second
    transaction when the first override of a variant in a store is not in the base currency)."""
    require_compare_at_not_below(data.price, data.compare_at_price)
    variant, prices = _variant_and_prices(variant_id)
    current = next((item for item in prices if item.store_id == store_id), None)
    if if_match:
        current = _current(variant, store_id)
        if current is None:
            raise PreconditionFailed()
        require_match(if_match, price_out(current))
    # The override's currency is the store's: known from the override being replaced, else guessed as the base
    # currency; the `store` condition verifies it, and a wrong guess costs one store read and a second try.
    currency = current.currency if current else base_currency()
    for _ in range(ATTEMPTS):
        now = now_iso()
        tx = Tx()
        check_store_scope(tx, store_id, actor)
        _guard_store(tx, store_id, currency)
        _record_on_link(tx, variant.product_id, store_id, {variant.id})
        item = _write_override(tx, variant, store_id, data, currency, current, now)
        if current is None:
            tx.count(store_prices_total(store_id), 1)
        try:
            tx.commit()
            return item, current is None
        except TxCancelled as exc:
            if out_of_store_scope(exc):
                raise Forbidden() from None
            if "variant" in exc.failed:
                raise NotFound(msg.VARIANT_NOT_FOUND) from None
            if "link" in exc.failed:
                raise field_error("store_id", msg.NOT_ATTACHED) from None
            if "price" in exc.failed and if_match:
                raise PreconditionFailed() from None
            if "store" in exc.failed:
                currency = _store_currency(store_id, "store_id")
            if "price" in exc.failed or not exc.failed:  # created or changed meanwhile: go again on a fresh read
                current = _current(variant, store_id)
                currency = current.currency if current else currency
    raise Conflict()


def delete_price(variant_id: str, store_id: str, *, actor: Principal, if_match: str | None = None) -> None:
    """DELETE: back to the base price. One transaction: the override (must exist), its trace on the link, the
    store's total, the caller's membership."""
    variant, _ = _variant_and_prices(variant_id)
    condition = PriceItem.pk.exists()
    current = None
    if if_match:
        current = _current(variant, store_id)
        if current is None:
            raise NotFound(msg.PRICE_NOT_FOUND)
        require_match(if_match, price_out(current))
        condition = condition & (PriceItem.version == current.version)
    tx = Tx()
    check_store_scope(tx, store_id, actor)
    tx.delete(PriceItem, keys.price_key(variant.product_id, variant.id, store_id), condition=condition, label="price")
    tx.update(ProductStoreItem, keys.product_store_key(variant.product_id, store_id),
              [ProductStoreItem.priced_variant_ids.delete({variant.id})], condition=ProductStoreItem.pk.exists(),
              label="unlink")
    tx.count(store_prices_total(store_id), -1)
    try:
        tx.commit()
    except TxCancelled as exc:
        if out_of_store_scope(exc):
            raise Forbidden() from None
        if current is not None and "price" in exc.failed and _current(variant, store_id) is not None:
            raise PreconditionFailed() from None
        if "price" in exc.failed or "unlink" in exc.failed:
            raise NotFound(msg.PRICE_NOT_FOUND) from None
        raise


# --- many overrides of one store ------------------------------------------------------------------------
@dataclass
class _Row:
    index: int
    data: PriceRow
    variant: VariantItem
    current: PriceItem | None = None
    item: PriceItem | None = None


def _row_error(errors: dict[str, list[str]], index: int, field: str, message: Any, **params: object) -> None:
    errors.setdefault(f"items.{index}.{field}", []).append(message.render(**params))


def _open_store(store_id: str, actor: Principal) -> str:
    """The store (open) and the caller's scope, in one BatchGetItem: 404 / 403 before any row is looked at."""
    found = batch_get([keys.store_key(store_id)] + store_scope_keys([store_id], actor))
    store = found.get(keys.store_key(store_id))
    if not isinstance(store, Entity) or store.sk != "STORE" or store.deleting_at:
        raise NotFound(msg.STORE_NOT_FOUND)
    require_store_scope([store_id], actor, found)
    return str(getattr(store, "currency", None) or base_currency())


def _plan(store_id: str, items: list[PriceRow]) -> list[_Row]:
    """Validate every row (all errors at once, `items.<n>.<field>`): compare_at ≥ price, each variant once,
    known, and its product attached to the store. Reads: one gsi5 Query per variant, then one consistent
    BatchGetItem of the links and of the overrides already there (create or replace)."""
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    rows: list[_Row] = []
    for index, data in enumerate(items):
        try:
            require_compare_at_not_below(data.price, data.compare_at_price)
        except ValidationFailed:
            _row_error(errors, index, "compare_at_price", msg.COMPARE_AT_BELOW_PRICE)
        if data.variant_id in seen:
            _row_error(errors, index, "variant_id", msg.PRICE_ROW_DUPLICATE)
            continue
        seen.add(data.variant_id)
        try:
            variant, _ = _variant_and_prices(data.variant_id)
        except NotFound:
            _row_error(errors, index, "variant_id", msg.VARIANT_NOT_FOUND)
            continue
        rows.append(_Row(index, data, variant))
    links = {keys.product_store_key(row.variant.product_id, store_id) for row in rows}
    found = batch_get(sorted(links) + [keys.price_key(row.variant.product_id, row.variant.id, store_id) for row in rows])
    for row in rows:
        if keys.product_store_key(row.variant.product_id, store_id) not in found:
            _row_error(errors, row.index, "variant_id", msg.NOT_ATTACHED)
        current = found.get(keys.price_key(row.variant.product_id, row.variant.id, store_id))
        row.current = current if isinstance(current, PriceItem) else None
    if errors:
        raise ValidationFailed(errors=dict(sorted(errors.items(), key=lambda kv: int(kv[0].split(".")[1]))))
    return rows


def _bulk_tx(store_id: str, currency: str, rows: list[_Row], actor: Principal) -> Tx:
    """One transaction for the whole request: scope, store, one link update per product, the rows, the total."""
    now = now_iso()
    tx = Tx()
    check_store_scope(tx, store_id, actor)
    _guard_store(tx, store_id, currency)
    by_product: dict[str, set[str]] = {}
    for row in rows:
        by_product.setdefault(row.variant.product_id, set()).add(row.variant.id)
    for product_id, variant_ids in sorted(by_product.items()):
        _record_on_link(tx, product_id, store_id, variant_ids, label=f"link:{product_id}")
    for row in rows:
        row.item = _write_override(tx, row.variant, store_id, row.data, currency, row.current, now,
                                   suffix=f":{row.index}")
    created = sum(1 for row in rows if row.current is None)
    if created:
        tx.count(store_prices_total(store_id), created)
    return tx


def set_store_prices(store_id: str, items: list[PriceRow], *, actor: Principal) -> tuple[str, list[_Row]]:
    """PUT /stores/{id}/prices: every row or none. A race with another writer of these rows (a version or
    creation condition failed) reads the rows again and re-applies the whole request, so the end state is
    always one request's rows entirely."""
    currency = _open_store(store_id, actor)
    for _ in range(ATTEMPTS):
        rows = _plan(store_id, items)
        tx = _bulk_tx(store_id, currency, rows, actor)
        if len(tx) > MAX_ITEMS:
            raise field_error("items", msg.PRICES_TOO_MANY_PRODUCTS, max=MAX_ITEMS)
        try:
            tx.commit()
            return currency, rows
        except TxCancelled as exc:
            if out_of_store_scope(exc):
                raise Forbidden() from None
            gone = {row.index: msg.VARIANT_NOT_FOUND for row in rows if f"variant:{row.index}" in exc.failed}
            gone |= {row.index: msg.NOT_ATTACHED for row in rows if f"link:{row.variant.product_id}" in exc.failed}
            if gone:  # deleted or detached since the rows were read
                raise ValidationFailed(errors={f"items.{index}.variant_id": [message.render()]
                                               for index, message in sorted(gone.items())}) from None
            if "store" in exc.failed:
                currency = _open_store(store_id, actor)
    raise Conflict()
