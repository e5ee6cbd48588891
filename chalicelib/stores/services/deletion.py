"""Deleting a store without orphans: memberships, product links and stock go with it.

Order (docs/data-model.md, "Deleting a store"): mark the store `deleting_at` (it leaves the lists, GETs
answer 404 and nothing new can attach to it), remove each product link together with that product's stock
in the store, sweep stray stock and the memberships, then delete the store, its slug and its totals in one
transaction that requires the link and member totals to be zero. A DELETE that stops half-way (timeout,
throttling) leaves the store marked: calling DELETE again finishes the job.
"""
from __future__ import annotations

from typing import Any

from chalicelib.catalog.links.models import ProductStoreItem, store_products_total
from chalicelib.catalog.links.policies import member_key_of
from chalicelib.catalog.links.services import detach_link
from chalicelib.catalog.prices.models import store_prices_total
from chalicelib.catalog.stock.models import StockItem, store_stock_partition
from chalicelib.core import keys
from chalicelib.core.batch import batch_get, counter_value
from chalicelib.core.concurrency import ATTEMPTS, StaleVersion, lost_every_race, require_match
from chalicelib.core.errors import Forbidden, PreconditionFailed
from chalicelib.core.table import Entity, now_iso
from chalicelib.core.tx import Counter, Tx, TxCancelled
from chalicelib.identity.authn import Principal
from chalicelib.stores import policies
from chalicelib.stores.models import STORES_ALL, StoreItem, StoreMemberItem, store_members_total, stores_state_total
from chalicelib.stores.services.common import DELETION_PENDING, STORE_NOT_FOUND, store_out
from chalicelib.stores.services.stores import SLUG_KIND

_ROUNDS = 3
_PER_TX = 98


def delete_store(store_id: str, *, actor: Principal, if_match: str | None, attempts: int = ATTEMPTS) -> None:
    """Delete a store and everything attached to it (an empty store: one read and one transaction). Without
    If-Match, a store changed between the read and the write is read again (`attempts` times, then 503)."""
    from chalicelib.core.errors import NotFound

    totals = _guarded_totals(store_id)
    caller = member_key_of(store_id, actor)
    found = batch_get([keys.store_key(store_id)] + [keys.counter_key(name) for name in totals]
                      + ([caller] if caller else []))
    store = found.get(keys.store_key(store_id))
    if not isinstance(store, StoreItem):
        raise NotFound(STORE_NOT_FOUND)
    if not policies.can_manage_store(actor, is_member=caller is None or caller in found):
        raise Forbidden()
    if not store.deleting_at:
        require_match(if_match, store_out(store))
        if all(counter_value(found.get(keys.counter_key(name))) <= 0 for name in totals) and not _has_links(store_id):
            try:
                _finish(store, marked=False)  # nothing attached: the store goes in one transaction
                return
            except TxCancelled as exc:
                if "store" in exc.failed and if_match:
                    raise PreconditionFailed() from None
                if "store" in exc.failed:
                    return _again(store_id, actor, attempts)
                # something got attached meanwhile: take the long way
        try:
            store = _mark_deleting(store, if_match=if_match)
        except StaleVersion:
            return _again(store_id, actor, attempts)
    for _ in range(_ROUNDS):
        _remove_links(store_id)
        _remove_stray_stock(store_id)
        _remove_members(store_id)
        try:
            _finish(store, marked=True)
            return
        except TxCancelled as exc:
            if not any(label.startswith("total:") for label in exc.failed):
                raise
            # an index had not caught up with a write made before the mark: one more round
    raise lost_every_race("store.delete", DELETION_PENDING, rounds=_ROUNDS)


def _again(store_id: str, actor: Principal, attempts: int) -> None:
    """The store changed under a DELETE without If-Match: read it again and go on, or 503 after `attempts`."""
    if attempts <= 1:
        raise lost_every_race("store.delete")
    return delete_store(store_id, actor=actor, if_match=None, attempts=attempts - 1)


def _has_links(store_id: str) -> bool:
    """Links of soft-deleted products are in no total: one index Query (limit 1) tells whether any is left."""
    return any(True for _ in ProductStoreItem.gsi3.query(keys.store_links_partition(store_id), limit=1))


def _mark_deleting(store: StoreItem, *, if_match: str | None) -> StoreItem:
    """Step 1: the store leaves its lists and its totals, and refuses new links; one transaction."""
    now = now_iso()
    tx = Tx()
    tx.update(StoreItem, keys.store_key(store.id),
              [StoreItem.deleting_at.set(now), StoreItem.updated_at.set(now), StoreItem.version.add(1),
               StoreItem.gsi1pk.remove(), StoreItem.gsi1sk.remove(), StoreItem.gsi2pk.remove(),
               StoreItem.gsi2sk.remove()],
              condition=(StoreItem.version == store.version) & StoreItem.deleting_at.does_not_exist(), label="store")
    tx.count(STORES_ALL, -1)
    tx.count(stores_state_total(bool(store.is_active)), -1)
    try:
        tx.commit()
    except TxCancelled as exc:
        if "store" in exc.failed and if_match:
            raise PreconditionFailed() from None
        if "store" in exc.failed:
            raise StaleVersion() from None
        raise
    store.deleting_at = now
    store.version += 1
    return store


def _pages(query: Any) -> list[list[Any]]:
    """Drain a query in pages of up to _PER_TX items (each page becomes one transaction)."""
    pages: list[list[Any]] = [[]]
    for item in query:
        if len(pages[-1]) == _PER_TX:
            pages.append([])
        pages[-1].append(item)
    return [page for page in pages if page]


def _remove_links(store_id: str) -> None:
    """Every link (gsi3: soft-deleted products' too) goes with the product's stock in this store."""
    for link in ProductStoreItem.gsi3.query(keys.store_links_partition(store_id)):
        detach_link(link.product_id, store_id)


def _remove_stray_stock(store_id: str) -> None:
    """Stock whose link is already gone (a safety net: stock is normally deleted with its link)."""
    for page in _pages(StockItem.gsi1.query(store_stock_partition(store_id))):
        tx = Tx()
        for record in page:
            tx.delete(StockItem, (record.pk, record.sk))
        tx.commit()


def _remove_members(store_id: str) -> None:
    query = StoreMemberItem.query(keys.store_key(store_id)[0], StoreMemberItem.sk.startswith(keys.STORE_MEMBER_PREFIX),
                                  consistent_read=True)
    for page in _pages(query):
        tx = Tx()
        for member in page:
            tx.delete(StoreMemberItem, (member.pk, member.sk))
        tx.count(store_members_total(store_id), -len(page))
        tx.commit()


def _guarded_totals(store_id: str) -> tuple[str, ...]:
    """The store's own totals: members, live products, the active/inactive product views, price overrides
    (detaching each product removes its overrides there)."""
    return (store_members_total(store_id), store_products_total(store_id),
            keys.store_products_state_partition(store_id, True), keys.store_products_state_partition(store_id, False),
            store_prices_total(store_id))


def _finish(store: StoreItem, *, marked: bool) -> None:
    """Last step: the store, its slug and its totals, on condition that no link or member is left."""
    tx = Tx()
    if marked:
        tx.delete(StoreItem, keys.store_key(store.id), condition=StoreItem.deleting_at.exists(), label="store")
    else:
        tx.delete(StoreItem, keys.store_key(store.id),
                  condition=(StoreItem.version == store.version) & StoreItem.deleting_at.does_not_exist(),
                  label="store")
        tx.count(STORES_ALL, -1)
        tx.count(stores_state_total(bool(store.is_active)), -1)
    tx.release(SLUG_KIND, store.slug)
    for name in _guarded_totals(store.id):
        # Links and memberships move these totals in their own transactions: zero means none is left.
        tx.delete(Entity, keys.counter_key(name), condition=Counter.total.does_not_exist() | (Counter.total <= 0),
                  label=f"total:{name}")
    tx.commit()
