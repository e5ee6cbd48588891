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

import json
import time
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
from chalicelib.catalog.prices.models import PriceBatchItem, PriceItem, price_item, store_prices_total
from chalicelib.catalog.prices.policies import base_currency
from chalicelib.catalog.prices.schemas import PriceIn, PriceRow
from chalicelib.catalog.products.models import VariantItem, VariantPointerItem
from chalicelib.catalog.products.render import price_out
from chalicelib.catalog.variants.pointers import variant_by_pointer
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
    deadline = time.monotonic() + WAIT_SECONDS
    for _ in range(ATTEMPTS * 2):
        now = now_iso()
        tx = Tx()
        check_store_scope(tx, store_id, actor)
        _guard_store(tx, store_id, currency)
        _not_busy(tx, store_id)
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
            if "busy" in exc.failed and not _wait_for_batch(store_id, deadline):
                break
            if "store" in exc.failed:
                currency = _store_currency(store_id, "store_id")
            if "price" in exc.failed or not exc.failed:  # created or changed meanwhile: go again on a fresh read
                current = _current(variant, store_id)
                currency = current.currency if current else currency
    raise Conflict()


def delete_price(variant_id: str, store_id: str, *, actor: Principal, if_match: str | None = None,
                 attempts: int = ATTEMPTS) -> None:
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
    _not_busy(tx, store_id)
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
        if "busy" in exc.failed:  # a bulk write of the store is in progress: once it is over, once more
            if attempts > 1 and _wait_for_batch(store_id, time.monotonic() + WAIT_SECONDS):
                return delete_price(variant_id, store_id, actor=actor, if_match=if_match, attempts=attempts - 1)
            raise Conflict() from None
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


def _open_store(store_id: str, actor: Principal, extra: list[tuple[str, str]] | None = None) -> tuple[str, dict]:
    """The store (open) and the caller's scope, in one BatchGetItem with `extra` keys (the rows' variant
    pointers): 404 / 403 before any row is looked at. (currency, what the read found)."""
    found = batch_get([keys.store_key(store_id)] + store_scope_keys([store_id], actor) + list(extra or []))
    store = found.get(keys.store_key(store_id))
    if not isinstance(store, Entity) or store.sk != "STORE" or store.deleting_at:
        raise NotFound(msg.STORE_NOT_FOUND)
    require_store_scope([store_id], actor, found)
    return str(getattr(store, "currency", None) or base_currency()), found


def _pointer_keys(items: list[PriceRow]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(keys.variant_pointer_key(data.variant_id) for data in items))


def _find_variant(variant_id: str, found: dict) -> VariantItem | None:
    """The row's variant by its pointer (read in the batch); a variant without one (created before pointers
    existed) by its gsi5 lookup. Only its keys are needed: its existence is checked again in the write."""
    pointer = found.get(keys.variant_pointer_key(variant_id))
    if isinstance(pointer, VariantPointerItem):
        return VariantItem(*keys.variant_key(pointer.product_id, variant_id), id=variant_id,
                           product_id=pointer.product_id)
    try:
        return _variant_and_prices(variant_id)[0]
    except NotFound:
        return None


def _plan(store_id: str, items: list[PriceRow], found: dict, *, lenient: bool = False) -> list[_Row]:
    """Validate every row (all errors at once, `items.<n>.<field>`): compare_at ≥ price, each variant once,
    known, and its product attached to the store. `found`: the rows' variant pointers, already read; then one
    consistent BatchGetItem (per 100 keys) of the links and of the overrides already there (create or
    replace). `lenient`: finishing an interrupted write, rows no longer valid are dropped instead."""
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
        variant = variant_by_pointer(data.variant_id, found)
        if variant is None:
            _row_error(errors, index, "variant_id", msg.VARIANT_NOT_FOUND)
            continue
        rows.append(_Row(index, data, variant))
    links = {keys.product_store_key(row.variant.product_id, store_id) for row in rows}
    current = batch_get(sorted(links) + [keys.price_key(row.variant.product_id, row.variant.id, store_id)
                                         for row in rows])
    for row in rows:
        if keys.product_store_key(row.variant.product_id, store_id) not in current:
            _row_error(errors, row.index, "variant_id", msg.NOT_ATTACHED)
        override = current.get(keys.price_key(row.variant.product_id, row.variant.id, store_id))
        row.current = override if isinstance(override, PriceItem) else None
    if lenient:
        return [row for row in rows if not any(name.startswith(f"items.{row.index}.") for name in errors)]
    if errors:
        raise ValidationFailed(errors=dict(sorted(errors.items(), key=lambda kv: int(kv[0].split(".")[1]))))
    return rows


# A bulk write is one transaction when it fits (the usual case: rows of a few products). Each row costs two
# parts (the variant still there, the override), each product one (its link), each transaction four more
# (membership, store, no other bulk write in progress, the total); a request over 100 parts (e.g. 100
# single-variant products) is staged: see PriceBatchItem and _apply_staged.
_ROW_COST, _PRODUCT_COST, _TX_OVERHEAD = 2, 1, 4
LEASE_SECONDS = 30
WAIT_SECONDS = 5.0


class _Busy(Exception):
    """Another bulk write of the store is in progress (its PriceBatchItem exists)."""


class _StoreChanged(Exception):
    """The store's condition failed: being deleted, or its currency changed since it was read."""


def _not_busy(tx: Tx, store_id: str) -> None:
    """No bulk write of the store is in progress (label `busy`): overrides never interleave with one."""
    tx.check(Entity, keys.price_batch_key(store_id), Entity.pk.does_not_exist(), label="busy")


def _chunks(rows: list[_Row]) -> list[list[_Row]]:
    """The rows in transactions of ≤ 100 parts, a product's rows kept together while they fit."""
    chunks: list[list[_Row]] = [[]]
    cost, products = _TX_OVERHEAD, set()
    for row in sorted(rows, key=lambda r: (r.variant.product_id, r.index)):
        extra = _ROW_COST + (0 if row.variant.product_id in products else _PRODUCT_COST)
        if cost + extra > MAX_ITEMS:
            chunks.append([])
            cost, products = _TX_OVERHEAD, set()
            extra = _ROW_COST + _PRODUCT_COST
        chunks[-1].append(row)
        cost += extra
        products.add(row.variant.product_id)
    return chunks


def _chunk_tx(store_id: str, currency: str, rows: list[_Row], actor: Principal | None, *, token: str | None) -> Tx:
    """One transaction of rows: scope (`actor`), store, the bulk-write guard (none in progress, or ours:
    `token`), one link update per product, the rows, the total."""
    now = now_iso()
    tx = Tx()
    if actor is not None:
        check_store_scope(tx, store_id, actor)
    _guard_store(tx, store_id, currency)
    if token is None:
        _not_busy(tx, store_id)
    else:
        tx.check(PriceBatchItem, keys.price_batch_key(store_id), PriceBatchItem.token == token, label="batch")
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


def _gone_rows(rows: list[_Row], exc: TxCancelled) -> dict[int, Any]:
    """Rows whose variant was deleted or whose product was detached since they were read."""
    gone = {row.index: msg.VARIANT_NOT_FOUND for row in rows if f"variant:{row.index}" in exc.failed}
    gone |= {row.index: msg.NOT_ATTACHED for row in rows if f"link:{row.variant.product_id}" in exc.failed}
    return gone


def set_store_prices(store_id: str, items: list[PriceRow], *, actor: Principal) -> tuple[str, list[_Row]]:
    """PUT /stores/{id}/prices: every row or none, never interleaved with another write of the store's prices.

    Calls: one BatchGetItem per 100 keys of the store, the caller's membership and the rows' variant pointers,
    one per 100 keys of the links and current overrides, then one transaction (or, staged, one per ≤ 100 parts
    plus two): 4 when it fits one transaction, at most 11 for 100 rows. A race with another writer of these
    rows (a version or creation condition failed) reads the rows again and re-applies the whole request, so
    the end state is always one request's rows entirely. Rows written have `item` set (a staged write drops
    the rows whose variant or product link went away meanwhile).
    """
    currency, found = _open_store(store_id, actor, _pointer_keys(items))
    deadline = time.monotonic() + WAIT_SECONDS
    for attempt in range(ATTEMPTS * 4):
        if attempt:  # on a retry, read the pointers again (a variant may have gone)
            found = batch_get(_pointer_keys(items))
        rows = _plan(store_id, items, found)
        chunks = _chunks(rows)
        try:
            if len(chunks) > 1:
                _apply_staged(store_id, currency, items, chunks, actor)
                return currency, rows
            tx = _chunk_tx(store_id, currency, rows, actor, token=None)
            try:
                tx.commit()
                return currency, rows
            except TxCancelled as exc:
                if out_of_store_scope(exc):
                    raise Forbidden() from None
                gone = _gone_rows(rows, exc)
                if gone:  # deleted or detached since the rows were read
                    raise ValidationFailed(errors={f"items.{index}.variant_id": [message.render()]
                                                   for index, message in sorted(gone.items())}) from None
                if "busy" in exc.failed:
                    raise _Busy() from None
                if "store" in exc.failed:
                    raise _StoreChanged() from None
        except _Busy:
            if not _wait_for_batch(store_id, deadline):
                break
        except _StoreChanged:
            currency, _ = _open_store(store_id, actor)  # 404 when it is being deleted
    raise Conflict()


def _apply_staged(store_id: str, currency: str, items: list[PriceRow], chunks: list[list[_Row]],
                  actor: Principal | None, *, token: str | None = None) -> None:
    """More parts than one transaction holds: a PriceBatchItem holding the whole request is created first
    (the store open, in that currency, no other bulk write in progress; the caller's membership), then each
    chunk is written on condition that it is still ours, then it is deleted. Overrides of the store are written
    by no one else meanwhile (they all require no PriceBatchItem), and if this writer stops half-way the next
    writer of the store's prices finishes the request from the PriceBatchItem once its lease has passed: the
    rows are all applied, never some. Rows whose variant is deleted or whose product is detached meanwhile
    are dropped (the deletion comes after the write)."""
    from ulid import ULID

    key = keys.price_batch_key(store_id)
    if token is None:
        token = str(ULID())
        lease = now_iso(LEASE_SECONDS)
        start = Tx()
        if actor is not None:
            check_store_scope(start, store_id, actor)
        _guard_store(start, store_id, currency)
        start.create(PriceBatchItem(*key, token=token, currency=currency, lease_until=lease,
                                    rows=json.dumps([row.model_dump() for row in items]),
                                    expires_at=int(time.time()) + 24 * 3600), label="busy")
        try:
            start.commit()
        except TxCancelled as exc:
            if out_of_store_scope(exc):
                raise Forbidden() from None
            if "store" in exc.failed:
                raise _StoreChanged() from None
            if "busy" in exc.failed:
                raise _Busy() from None
            raise
    for chunk in chunks:
        for _ in range(ATTEMPTS * 2):
            if not chunk:
                break
            try:
                _chunk_tx(store_id, currency, chunk, None, token=token).commit()
                break
            except TxCancelled as exc:
                if "batch" in exc.failed:
                    return  # another writer took over the expired lease and finished the request
                if "store" in exc.failed:
                    # Being deleted (its currency cannot have changed: the first chunk's overrides lock it, or
                    # overrides were there already): nothing to finish, the deletion removes the overrides.
                    _release(key, token)
                    raise NotFound(msg.STORE_NOT_FOUND) from None
                gone = _gone_rows(chunk, exc)
                if not gone and exc.failed:
                    raise
                for row in chunk:
                    if row.index in gone:
                        row.item = None
                chunk = _refresh(store_id, [row for row in chunk if row.index not in gone])
        else:
            raise Conflict()  # the lease runs out and the next writer finishes the request
    _release(key, token)


def _release(key: tuple[str, str], token: str) -> None:
    done = Tx()
    done.delete(PriceBatchItem, key, condition=PriceBatchItem.token == token, label="batch")
    try:
        done.commit()
    except TxCancelled:
        pass  # taken over and finished by another writer


def _refresh(store_id: str, rows: list[_Row]) -> list[_Row]:
    """The rows' current overrides again (after a cancelled transaction): versions to write on."""
    if not rows:
        return []
    found = batch_get(keys.price_key(row.variant.product_id, row.variant.id, store_id) for row in rows)
    for row in rows:
        current = found.get(keys.price_key(row.variant.product_id, row.variant.id, store_id))
        row.current = current if isinstance(current, PriceItem) else None
    return rows


def _wait_for_batch(store_id: str, deadline: float) -> bool:
    """Another bulk write of the store is in progress: wait for it (polling its item), or finish it when its
    lease has passed (its writer stopped half-way). False when it is still running at `deadline`."""
    key = keys.price_batch_key(store_id)
    while time.monotonic() < deadline:
        batch = get_item(PriceBatchItem, key)
        if batch is None:
            return True
        if batch.lease_until < now_iso():
            _take_over(store_id, batch)
            return True
        time.sleep(0.05)
    return False


def _take_over(store_id: str, batch: Any) -> None:
    """Finish an interrupted bulk write: claim its item (new token and lease), apply its rows, delete it."""
    from ulid import ULID

    token = str(ULID())
    claim = Tx()
    claim.update(PriceBatchItem, keys.price_batch_key(store_id),
                 [PriceBatchItem.token.set(token), PriceBatchItem.lease_until.set(now_iso(LEASE_SECONDS))],
                 condition=PriceBatchItem.token == batch.token, label="batch")
    try:
        claim.commit()
    except TxCancelled:
        return  # someone else claimed it first
    items = [PriceRow.model_validate(row) for row in json.loads(batch.rows)]
    rows = _plan(store_id, items, batch_get(_pointer_keys(items)), lenient=True)
    _apply_staged(store_id, batch.currency, items, _chunks(rows), None, token=token)
