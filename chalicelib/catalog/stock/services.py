"""Stock per (variant, store), the routes' use cases: read a variant's stock, set it, adjust it, delete it;
every change writes its movement in the same transaction (changes.py: `EntryChange`, the write machinery
reservations share); the movement lists are in movements.py."""
from __future__ import annotations

from typing import Any, NoReturn

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links.models import ProductStoreItem
from chalicelib.catalog.links.policies import check_store_scope, require_store_scope
from chalicelib.catalog.products.models import VariantItem
from chalicelib.catalog.stock.changes import (
    WRITE_ATTEMPTS,
    WRITE_BACKOFF,
    EntryChange,
    active_reserved,
    commit_changes,
    drop_expired_within,
    holds_of,
    movement_ids,
)
from chalicelib.catalog.stock.models import StockItem
from chalicelib.catalog.stock.schemas import StockOut
from chalicelib.catalog.variants.services import read_variant
from chalicelib.core import keys
from chalicelib.core.concurrency import guarded_write
from chalicelib.core.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed, field_error
from chalicelib.core.lookups import get_item
from chalicelib.core.table import Entity, now_iso
from chalicelib.core.tx import Tx
from chalicelib.identity.authn import Principal


def stock_out(item: StockItem, now: str | None = None) -> StockOut:
    quantity = int(item.quantity or 0)
    reserved = active_reserved(holds_of(item), now or now_iso())
    return StockOut(product_id=item.product_id, variant_id=item.variant_id, store_id=item.store_id,
                    quantity=quantity, reserved=reserved, available=quantity - reserved, updated_at=item.updated_at)


# --- the stock routes' use cases ---------------------------------------------------------------------------
def list_variant_stock(variant_id: str, *, sees_inactive: bool,
                       sees_inactive_stores: bool) -> tuple[VariantItem, list[StockItem]]:
    """The variant's stock in every store the caller may see: the variant read of the catalog (one Query of
    its gsi5 partition, one BatchGetItem of the product and, for customers, the stores), without the gallery.
    The entries carry their holds, so `reserved` costs nothing more however many reservations hold units."""
    found = read_variant(variant_id, sees_inactive=sees_inactive, sees_inactive_stores=sees_inactive_stores,
                         gallery=False)
    return found.variant, found.stock


def _current(product_id: str, variant_id: str, store_id: str) -> StockItem | None:
    return get_item(StockItem, keys.stock_key(product_id, variant_id, store_id))


def _variant_and_entry(variant_id: str, store_id: str) -> tuple[VariantItem, StockItem | None]:
    """The variant and its stock record in the store, in ONE Query of the variant's gsi5 partition (sort keys
    from STOCK#<store> on: that record, the variant, and the records of stores sorting after it). An index read
    may lag: the write's version condition catches it, and the retry reads the record itself."""
    found = list(Entity.gsi5.query(keys.lookup_partition("VARIANT", variant_id), Entity.gsi5sk >= f"STOCK#{store_id}"))
    variant = next((item for item in found if isinstance(item, VariantItem)), None)
    if variant is None:
        raise NotFound(msg.VARIANT_NOT_FOUND)
    entry = next((item for item in found if isinstance(item, StockItem) and item.store_id == store_id), None)
    return variant, entry


def _write_entry(variant_id: str, store_id: str, actor: Principal, if_match: str | None,
                 apply: Any, *, missing: Any = None) -> EntryChange:
    """Read the entry, `apply(change)`, commit with the movements; retried on a lost race.
    Calls: one Query (the variant and the entry) and one TransactWriteItems; a retry (and a write with
    If-Match) reads the entry with a consistent GetItem."""
    variant, first = _variant_and_entry(variant_id, store_id)
    pid = variant.product_id
    ids = (pid, variant_id, store_id)
    # If-Match is compared with the record itself (consistent), never with an index copy that may lag.
    reads: list[StockItem | None] = [] if if_match else [first]

    def load() -> StockItem | None:
        current = reads.pop() if reads else _current(*ids)
        if current is None and missing is not None:
            missing()
        return current

    def write(current: StockItem | None) -> EntryChange:
        change = EntryChange(ids, current, now=now_iso(), actor_id=actor.user_id, movement_id=movement_ids([current]))
        drop_expired_within([change], 1)  # beside the membership check
        try:
            apply(change)
        except (Conflict, ValidationFailed):
            require_store_scope([store_id], actor)  # an outsider learns nothing of the store's stock: 403 first
            raise
        tx = Tx()
        check_store_scope(tx, store_id, actor)
        commit_changes(tx, [change], store_id)
        return change

    def render(current: StockItem | None) -> StockOut:
        if current is None:
            raise PreconditionFailed()
        return stock_out(current)

    return guarded_write(load, render, write, if_match, attempts=WRITE_ATTEMPTS, backoff=WRITE_BACKOFF)


def set_stock(variant_id: str, store_id: str, quantity: int, *, actor: Principal,
              if_match: str | None = None) -> StockItem:
    """PUT: the quantity of a variant in a store (created when missing); the store must carry the product, and
    the quantity cannot go below the units reserved there (409). A `set` movement records new − old."""
    return _write_entry(variant_id, store_id, actor, if_match, lambda change: change.set_quantity(quantity)).written()


def adjust_stock(variant_id: str, store_id: str, delta: int, *, actor: Principal, reason: str = "correction",
                 reference: str | None = None) -> StockItem:
    """Add `delta` (±): never below the reserved units (nor zero) and never above the cap (409, unchanged),
    never a lost update; an `adjust` movement with the reason and reference."""

    def apply(change: EntryChange) -> None:
        if change.current is None and delta < 0:
            if get_item(ProductStoreItem, keys.product_store_key(change.product_id, store_id)) is None:
                raise field_error("store_id", msg.NOT_ATTACHED)
        change.adjust(delta, reason=reason, reference=reference)

    return _write_entry(variant_id, store_id, actor, None, apply).written()


def delete_stock(variant_id: str, store_id: str, *, actor: Principal, if_match: str | None = None) -> None:
    """Remove the stock record of a variant in a store (and its trace on the link); its movements stay, the
    last one `deleted`. Refused (409) while reservations hold units there."""

    def gone() -> NoReturn:
        require_store_scope([store_id], actor)
        raise NotFound(msg.STOCK_NOT_FOUND)

    _write_entry(variant_id, store_id, actor, if_match, EntryChange.delete, missing=gone)


