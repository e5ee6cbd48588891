"""Store prices: a store's override of a variant's base price (read, set, delete, set many at once).

The use cases; what each write puts in its transaction is in writes.py (the rules listed there), the rows
of a bulk write in rows.py, a bulk write larger than one transaction in staging.py.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links.policies import (
    check_store_scope,
    commit_in_store_scope,
    require_store_scope,
    store_scope_keys,
)
from chalicelib.catalog.prices.models import PriceItem, store_prices_total
from chalicelib.catalog.prices.policies import store_currency
from chalicelib.catalog.prices.rows import Row, chunk_tx, chunks, gone_rows, plan, pointer_keys
from chalicelib.catalog.prices.schemas import PriceIn, PriceRow
from chalicelib.catalog.prices.staging import Busy, StoreChanged, apply_staged, raise_for_guards, wait_for_batch
from chalicelib.catalog.prices.writes import (
    WAIT_SECONDS,
    current_override,
    forget_on_link,
    guard_store,
    not_busy,
    open_store_currency,
    price_key_of,
    record_on_link,
    write_override,
)
from chalicelib.catalog.products.models import VariantItem
from chalicelib.catalog.products.render import price_out
from chalicelib.catalog.variants.pointers import variant_by_pointer
from chalicelib.catalog.variants.services import VariantRead, read_variant, require_compare_at_not_below
from chalicelib.core import keys
from chalicelib.core.batch import batch_get
from chalicelib.core.concurrency import ATTEMPTS, lost_every_race, require_match
from chalicelib.core.errors import Forbidden, NotFound, PreconditionFailed, ValidationFailed, field_error
from chalicelib.core.keys import Key
from chalicelib.core.table import Entity, now_iso
from chalicelib.core.tx import Tx, TxCancelled
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
def override_reads(variant_id: str, store_id: str, user_id: str) -> list[Key]:
    """What a write of one override reads with the caller's authentication (the route's `reads`): the store
    (its currency), the variant's pointer (its product) and the caller's membership of the store."""
    return [keys.store_key(store_id), keys.variant_pointer_key(variant_id), keys.store_member_key(store_id, user_id)]


def _variant(variant_id: str, store_id: str, actor: Principal, found: Mapping[Key, Any]) -> VariantItem:
    """The variant from what `override_reads` found: 403 outside the caller's stores first, then 404."""
    in_scope(store_id, actor, found)
    variant = variant_by_pointer(variant_id, found)
    if variant is None:
        raise NotFound(msg.VARIANT_NOT_FOUND)
    return variant


def _open_store_in(found: Mapping[Key, Any], store_id: str) -> Entity | None:
    """The store as a batch read found it, when it exists and is not being deleted."""
    store = found.get(keys.store_key(store_id))
    return store if isinstance(store, Entity) and store.sk == "STORE" and not store.deleting_at else None


def _target(variant_id: str, store_id: str, actor: Principal, found: Mapping[Key, Any]) -> tuple[VariantItem, str]:
    """The variant and the store's currency from what `override_reads` found: 403 outside the caller's stores,
    404 without the variant, 422 on `store_id` for a store absent or being deleted (as links answer). That read
    is eventually consistent: a refusal is confirmed by a consistent read first (a store or a membership just
    created is not refused); the transaction checks all of it again."""
    variant = _variant(variant_id, store_id, actor, found)
    store = _open_store_in(found, store_id)
    return variant, store_currency(store) if store else open_store_currency(store_id, "store_id")


def in_scope(store_id: str, actor: Principal, found: Mapping[Key, Any]) -> None:
    """403 unless the caller may act on the store: on what `override_reads` found, confirmed by a consistent
    read before a refusal."""
    try:
        require_store_scope([store_id], actor, found)
    except Forbidden:
        require_store_scope([store_id], actor)


def set_price(variant_id: str, store_id: str, data: PriceIn, *, actor: Principal, found: Mapping[Key, Any],
              if_match: str | None = None) -> tuple[PriceItem, bool]:
    """PUT: create or replace the override; (the override, created?). Calls, the caller's authentication
    included: its BatchGetItem (with `override_reads`), a consistent GetItem of the override, one transaction."""
    require_compare_at_not_below(data.price, data.compare_at_price)
    variant, currency = _target(variant_id, store_id, actor, found)
    current = current_override(variant, store_id)
    if if_match:
        if current is None:
            raise PreconditionFailed()
        require_match(if_match, price_out(current))
    deadline = time.monotonic() + WAIT_SECONDS
    for _ in range(ATTEMPTS * 2):
        now = now_iso()
        tx = Tx()
        check_store_scope(tx, store_id, actor)
        guard_store(tx, store_id, currency)
        not_busy(tx, store_id)
        record_on_link(tx, variant.product_id, store_id, {variant.id})
        item = write_override(tx, variant, store_id, data, currency, current, now)
        if current is None:
            tx.count(store_prices_total(store_id), 1)
        try:
            commit_in_store_scope(tx)
            return item, current is None
        except TxCancelled as exc:
            if "variant" in exc.failed:
                raise NotFound(msg.VARIANT_NOT_FOUND) from None
            if "link" in exc.failed:
                raise field_error("store_id", msg.NOT_ATTACHED) from None
            if "price" in exc.failed and if_match:
                raise PreconditionFailed() from None
            if "busy" in exc.failed and not wait_for_batch(store_id, deadline):
                break
            if "store" in exc.failed:  # its currency changed since it was read (it had no override then)
                currency = open_store_currency(store_id, "store_id")
            if "price" in exc.failed or not exc.failed:  # created or changed meanwhile: go again on a fresh read
                current = current_override(variant, store_id)
    raise lost_every_race("price.put")


def delete_price(variant_id: str, store_id: str, *, actor: Principal, found: Mapping[Key, Any],
                 if_match: str | None = None, attempts: int = ATTEMPTS) -> None:
    """DELETE: back to the base price. Calls: the caller's authentication (with `override_reads`), with If-Match
    a consistent GetItem of the override, one transaction: the override (must exist), its trace on the link,
    the store's total, the caller's membership."""
    variant = _variant(variant_id, store_id, actor, found)
    condition = PriceItem.pk.exists()
    current = None
    if if_match:
        current = current_override(variant, store_id)
        if current is None:
            raise NotFound(msg.PRICE_NOT_FOUND)
        require_match(if_match, price_out(current))
        condition = condition & (PriceItem.version == current.version)
    tx = Tx()
    check_store_scope(tx, store_id, actor)
    not_busy(tx, store_id)
    tx.delete(PriceItem, price_key_of(variant, store_id), condition=condition, label="price")
    forget_on_link(tx, variant.product_id, store_id, variant.id)
    tx.count(store_prices_total(store_id), -1)
    try:
        commit_in_store_scope(tx)
    except TxCancelled as exc:
        if "busy" in exc.failed:  # a bulk write of the store is in progress: once it is over, once more
            if attempts > 1 and wait_for_batch(store_id, time.monotonic() + WAIT_SECONDS):
                return delete_price(variant_id, store_id, actor=actor, found=found, if_match=if_match,
                                    attempts=attempts - 1)
            raise lost_every_race("price.delete") from None
        if current is not None and "price" in exc.failed and current_override(variant, store_id) is not None:
            raise PreconditionFailed() from None
        if "price" in exc.failed or "unlink" in exc.failed:
            raise NotFound(msg.PRICE_NOT_FOUND) from None
        raise


# --- many overrides of one store ------------------------------------------------------------------------
def _open_store(store_id: str, actor: Principal, extra: list[tuple[str, str]] | None = None) -> tuple[str, dict]:
    """The store (open) and the caller's scope, in one BatchGetItem with `extra` keys (the rows' variant
    pointers): 404 / 403 before any row is looked at. (currency, what the read found)."""
    found = batch_get([keys.store_key(store_id)] + store_scope_keys([store_id], actor) + list(extra or []))
    store = _open_store_in(found, store_id)
    if store is None:
        raise NotFound(msg.STORE_NOT_FOUND)
    require_store_scope([store_id], actor, found)
    return store_currency(store), found


def set_store_prices(store_id: str, items: list[PriceRow], *, actor: Principal) -> tuple[str, list[Row]]:
    """PUT /stores/{id}/prices: every row or none, never interleaved with another write of the store's prices.

    Calls: one BatchGetItem per 100 keys of the store, the caller's membership and the rows' variant pointers,
    one per 100 keys of the links and current overrides, then one transaction (or, staged, one per ≤ 100 parts
    plus two): 4 when it fits one transaction, at most 11 for 100 rows. A race with another writer of these
    rows (a version or creation condition failed) reads the rows again and re-applies the whole request, so
    the end state is always one request's rows entirely. Rows written have `item` set (a staged write drops
    the rows whose variant or product link went away meanwhile).
    """
    currency, found = _open_store(store_id, actor, pointer_keys(items))
    deadline = time.monotonic() + WAIT_SECONDS
    for attempt in range(ATTEMPTS * 4):
        if attempt:  # on a retry, read the pointers again (a variant may have gone)
            found = batch_get(pointer_keys(items))
        rows = plan(store_id, items, found)
        parts = chunks(rows)
        try:
            if len(parts) > 1:
                apply_staged(store_id, currency, items, parts, actor)
                return currency, rows
            try:
                commit_in_store_scope(chunk_tx(store_id, currency, rows, actor, token=None))
                return currency, rows
            except TxCancelled as exc:
                gone = gone_rows(rows, exc)
                if gone:  # deleted or detached since the rows were read
                    raise ValidationFailed(errors={f"items.{index}.variant_id": [message.render()]
                                                   for index, message in sorted(gone.items())}) from None
                raise_for_guards(exc)
        except Busy:
            if not wait_for_batch(store_id, deadline):
                break
        except StoreChanged:
            currency, _ = _open_store(store_id, actor)  # 404 when it is being deleted
    raise lost_every_race("prices.bulk")
