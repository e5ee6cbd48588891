"""The movement lists: one stock entry's (its own partition, kept after the entry is deleted) and a store's
(gsi1), newest first, with their totals from the movement counters."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links.policies import member_key_of, require_store_scope, store_shown
from chalicelib.catalog.stock.models import MovementItem, entry_movements_total, store_movements_total
from chalicelib.catalog.stock.schemas import MovementOut
from chalicelib.catalog.variants.pointers import variant_by_pointer
from chalicelib.core import keys
from chalicelib.core.batch import batch_get, counter_value
from chalicelib.core.errors import NotFound
from chalicelib.core.keys import Key
from chalicelib.core.pagination import Page, PageQuery, paginate
from chalicelib.identity.authn import Principal


def movement_out(item: MovementItem) -> MovementOut:
    return MovementOut(id=item.id, variant_id=item.variant_id, store_id=item.store_id, kind=item.kind,
                       delta=int(item.delta), quantity_after=int(item.quantity_after),
                       reserved_after=int(item.reserved_after), reason=item.reason, reference=item.reference,
                       reservation_id=item.reservation_id, actor_id=item.actor_id, created_at=item.created_at)


def _movement_page(query: Any, *, params: PageQuery, scope: str, total: str, index: str, store_id: str,
                   actor: Principal, variant_id: str | None = None) -> Page[MovementOut]:
    """One page, newest first: one BatchGetItem (the store, the caller's membership, the variant's pointer for
    an entry's list, the total) and one Query. An unknown store (or one being deleted) → 404, outside the
    caller's stores → 403, an unknown variant → 404, whatever history the keys hold."""
    member = member_key_of(store_id, actor)
    wanted = [keys.store_key(store_id), keys.counter_key(total), *([member] if member else []),
              *([keys.variant_pointer_key(variant_id)] if variant_id else [])]
    found: dict[Key, Any] = batch_get(wanted)
    if not store_shown(found.get(keys.store_key(store_id)), sees_inactive=True):
        raise NotFound(msg.STORE_NOT_FOUND)
    require_store_scope([store_id], actor, found)
    if variant_id and variant_by_pointer(variant_id, found) is None:
        raise NotFound(msg.VARIANT_NOT_FOUND)
    page = paginate(query, params=params, scope=scope, total=lambda: counter_value(found.get(keys.counter_key(total))),
                    index=index)
    return Page([movement_out(item) for item in page.items], page.meta)


def entry_movements(variant_id: str, store_id: str, params: PageQuery, *, actor: Principal) -> Page[MovementOut]:
    """The movements of one stock entry (kept after the entry is deleted), newest first."""
    partition = keys.stock_ledger_partition(variant_id, store_id)

    def query(limit: int, start: dict[str, Any] | None) -> Iterable[MovementItem]:
        return MovementItem.query(partition, MovementItem.sk.startswith(keys.MOVEMENT_PREFIX), scan_index_forward=False,
                                  limit=limit, page_size=limit, last_evaluated_key=start)

    return _movement_page(query, params=params, scope=f"movements:{variant_id}:{store_id}",
                          total=entry_movements_total(variant_id, store_id), index="", store_id=store_id, actor=actor,
                          variant_id=variant_id)


def store_movements(store_id: str, params: PageQuery, *, actor: Principal) -> Page[MovementOut]:
    """Every movement of a store (gsi1 STORE#<id>#MOVEMENTS), newest first."""

    def query(limit: int, start: dict[str, Any] | None) -> Iterable[MovementItem]:
        return MovementItem.gsi1.query(keys.store_movements_partition(store_id), scan_index_forward=False,
                                       limit=limit, page_size=limit, last_evaluated_key=start)

    return _movement_page(query, params=params, scope=f"movements:store:{store_id}",
                          total=store_movements_total(store_id), index="gsi1", store_id=store_id, actor=actor)
