"""Stock per (variant, store): read a variant's stock, set it, adjust it atomically, delete it."""
from __future__ import annotations

from typing import Any

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links.models import ProductStoreItem
from chalicelib.catalog.links.policies import check_store_scope, out_of_store_scope, require_store_scope
from chalicelib.catalog.products.models import VariantItem
from chalicelib.catalog.stock.models import StockItem, store_stock_partition
from chalicelib.catalog.stock.schemas import MAX_STOCK, StockOut
from chalicelib.catalog.variants.services import read_variant
from chalicelib.core import keys
from chalicelib.core.concurrency import require_match
from chalicelib.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    field_error,
)
from chalicelib.core.lookups import get_item, lookup
from chalicelib.core.table import Entity, error_code, now_iso
from chalicelib.core.tx import Tx, TxCancelled
from chalicelib.identity.authn import Principal


def find_variant(variant_id: str) -> VariantItem:
    """A variant by its id alone: one Query on gsi5 (VARIANT#<id>)."""
    return lookup(VariantItem, "VARIANT", variant_id, msg.VARIANT_NOT_FOUND)


def stock_out(item: StockItem) -> StockOut:
    return StockOut(product_id=item.product_id, variant_id=item.variant_id, store_id=item.store_id,
                    quantity=int(item.quantity or 0), updated_at=item.updated_at)


def list_variant_stock(variant_id: str, *, sees_inactive: bool,
                       sees_inactive_stores: bool) -> tuple[VariantItem, list[StockItem]]:
    """The variant's stock in every store the caller may see: the variant read of the catalog (one Query of
    its gsi5 partition, one BatchGetItem of the product and, for customers, the stores), without the gallery."""
    found = read_variant(variant_id, sees_inactive=sees_inactive, sees_inactive_stores=sees_inactive_stores,
                         gallery=False)
    return found.variant, found.stock


def _upsert(product_id: str, variant_id: str, store_id: str, now: str) -> list[Any]:
    """The actions that make an UpdateItem create the record when it is missing (typed, indexed)."""
    return [Entity.type.set(StockItem), StockItem.product_id.set(product_id), StockItem.variant_id.set(variant_id),
            StockItem.store_id.set(store_id), StockItem.gsi1pk.set(store_stock_partition(store_id)),
            StockItem.gsi1sk.set(f"{product_id}#{variant_id}"),
            StockItem.gsi5pk.set(keys.lookup_partition("VARIANT", variant_id)), StockItem.gsi5sk.set(f"STOCK#{store_id}"),
            StockItem.created_at.set(StockItem.created_at | now), StockItem.updated_at.set(now),
            StockItem.version.add(1)]


def _raise_for(exc: TxCancelled, *, if_match: str | None = None) -> None:
    if out_of_store_scope(exc):
        raise Forbidden() from None
    if "link" in exc.failed:
        raise field_error("store_id", msg.NOT_ATTACHED) from None
    if "stock" in exc.failed and if_match:
        raise PreconditionFailed() from None
    raise exc


def _current(product_id: str, variant_id: str, store_id: str) -> StockItem | None:
    return get_item(StockItem, keys.stock_key(product_id, variant_id, store_id))


def set_stock(variant_id: str, store_id: str, quantity: int, *, actor: Principal,
              if_match: str | None = None) -> StockItem:
    """PUT: the quantity of a variant in a store (created when missing); the store must carry the product."""
    variant = find_variant(variant_id)
    pid = variant.product_id
    condition = None
    if if_match:
        current = _current(pid, variant_id, store_id)
        if current is None:
            raise PreconditionFailed()
        require_match(if_match, stock_out(current))
        condition = StockItem.version == current.version
    tx = Tx()
    check_store_scope(tx, store_id, actor)
    # Updating the link both requires it (the store carries the product) and records that this variant has
    # stock there, so detaching deletes exactly the right records.
    tx.update(ProductStoreItem, keys.product_store_key(pid, store_id), [ProductStoreItem.variant_ids.add({variant_id})],
              condition=ProductStoreItem.pk.exists(), label="link")
    now = now_iso()
    tx.update(StockItem, keys.stock_key(pid, variant_id, store_id),
              _upsert(pid, variant_id, store_id, now) + [StockItem.quantity.set(quantity)],
              condition=condition, label="stock")
    try:
        tx.commit()
    except TxCancelled as exc:
        _raise_for(exc, if_match=if_match)
    pk, sk = keys.stock_key(pid, variant_id, store_id)
    return StockItem(pk, sk, product_id=pid, variant_id=variant_id, store_id=store_id, quantity=quantity,
                     updated_at=now)


def adjust_stock(variant_id: str, store_id: str, delta: int, *, actor: Principal) -> StockItem:
    """Add `delta` (±) in one conditional UpdateItem: never below zero (409, unchanged), never a lost update.

    The record is updated alone (not in a transaction) so a hot variant's concurrent adjustments queue on
    DynamoDB's item lock instead of cancelling each other, and the answer carries the exact new quantity.
    """
    from pynamodb.exceptions import UpdateError

    variant = find_variant(variant_id)
    pid = variant.product_id
    require_store_scope([store_id], actor)
    pk, sk = keys.stock_key(pid, variant_id, store_id)
    # 0 <= quantity + delta <= MAX_STOCK is checked by DynamoDB on the value it holds: no read-modify-write.
    within = (StockItem.quantity >= -delta) if delta < 0 else (StockItem.quantity <= MAX_STOCK - delta)
    condition = StockItem.pk.exists() & within
    try:
        answer = StockItem._get_connection().update_item(
            pk, range_key=sk, condition=condition, return_values="ALL_NEW",
            actions=[StockItem.quantity.add(delta), StockItem.updated_at.set(now_iso()), StockItem.version.add(1)])
        return StockItem.from_raw_data(answer["Attributes"])
    except UpdateError as exc:
        if error_code(exc) != "ConditionalCheckFailedException":
            raise
    if delta < 0:
        if get_item(ProductStoreItem, keys.product_store_key(pid, store_id)) is None:
            raise field_error("store_id", msg.NOT_ATTACHED)
        raise Conflict(msg.STOCK_INSUFFICIENT)
    # No record yet (or one over the cap: the "stock" condition tells, without a read): create it with the
    # link's bookkeeping, as PUT does (rare: the first arrival of a variant).
    tx = Tx()
    check_store_scope(tx, store_id, actor)
    tx.update(ProductStoreItem, keys.product_store_key(pid, store_id), [ProductStoreItem.variant_ids.add({variant_id})],
              condition=ProductStoreItem.pk.exists(), label="link")
    tx.update(StockItem, (pk, sk), _upsert(pid, variant_id, store_id, now_iso()) + [StockItem.quantity.add(delta)],
              condition=StockItem.pk.does_not_exist() | within, label="stock")
    try:
        tx.commit()
    except TxCancelled as exc:
        if exc.failed == ["stock"]:
            raise Conflict(msg.STOCK_ABOVE_CAP) from None
        _raise_for(exc)
    return _current(pid, variant_id, store_id) or StockItem(pk, sk)


def delete_stock(variant_id: str, store_id: str, *, actor: Principal, if_match: str | None = None) -> None:
    """Remove the stock record of a variant in a store (and its trace on the link), in one transaction."""
    variant = find_variant(variant_id)
    pid = variant.product_id
    condition = StockItem.pk.exists()
    if if_match:
        current = _current(pid, variant_id, store_id)
        if current is None:
            raise NotFound(msg.STOCK_NOT_FOUND)
        require_match(if_match, stock_out(current))
        condition = condition & (StockItem.version == current.version)
    tx = Tx()
    check_store_scope(tx, store_id, actor)
    tx.delete(StockItem, keys.stock_key(pid, variant_id, store_id), condition=condition, label="stock")
    tx.update(ProductStoreItem, keys.product_store_key(pid, store_id), [ProductStoreItem.variant_ids.delete({variant_id})],
              condition=ProductStoreItem.pk.exists(), label="unlink")
    try:
        tx.commit()
    except TxCancelled as exc:
        if out_of_store_scope(exc):
            raise Forbidden() from None
        if "stock" in exc.failed or "unlink" in exc.failed:
            if if_match and "stock" in exc.failed and _current(pid, variant_id, store_id) is not None:
                raise PreconditionFailed() from None
            raise NotFound(msg.STOCK_NOT_FOUND) from None
        raise

