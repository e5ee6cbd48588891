"""Stores: create, read, list, replace, update (deletion lives in deletion.py)."""
from __future__ import annotations

from typing import Any

from ulid import ULID

from chalicelib.catalog.links.policies import member_key_of
from chalicelib.catalog.messages import CURRENCY_LOCKED
from chalicelib.catalog.prices.models import store_prices_total
from chalicelib.core import keys
from chalicelib.core.batch import batch_get
from chalicelib.core.concurrency import StaleVersion, guarded_write, lost_every_race
from chalicelib.core.errors import Conflict, Forbidden, field_error
from chalicelib.core.lookups import get_item
from chalicelib.core.pagination import Page, paginate, single_page
from chalicelib.core.slugs import base_slug, next_slug
from chalicelib.core.table import now_iso
from chalicelib.core.tx import Counter, Tx, TxCancelled
from chalicelib.identity.authn import Principal
from chalicelib.stores import policies
from chalicelib.stores.models import STORES_ALL, StoreItem, stores_state_total
from chalicelib.stores.schemas import StoreCreate, StoreListQuery, StorePatch
from chalicelib.stores.services.common import SLUG_TAKEN, live_store, store_out, visible_store

SLUG_KIND = "store_slug"
_SLUG_ATTEMPTS = 5


def _state_keys(store: StoreItem) -> None:
    """Index keys: gsi1 lists every store, gsi2 one state (active/inactive)."""
    store.gsi1pk, store.gsi1sk = keys.stores_all_partition(), store.id
    store.gsi2pk, store.gsi2sk = keys.stores_state_partition(bool(store.is_active)), store.id


def create_store(data: StoreCreate, *, actor: Principal) -> StoreItem:
    """Create a store; the slug comes from the name when absent and is unique."""
    store_id = str(ULID())
    now = now_iso()
    pk, sk = keys.store_key(store_id)
    store = StoreItem(pk, sk, id=store_id, name=data.name, slug="", description=data.description,
                      email=data.email, phone=data.phone, currency=data.currency,
                      address=data.address.model_dump() if data.address else None, is_active=data.is_active,
                      created_at=now, updated_at=now)
    _state_keys(store)
    base = base_slug(data.name, "store")
    for _ in range(_SLUG_ATTEMPTS):
        store.slug = data.slug or next_slug(SLUG_KIND, base)
        tx = Tx()
        tx.reserve(SLUG_KIND, store.slug, store_id, label="slug")
        tx.create(store, label="store")
        tx.count(STORES_ALL)
        tx.count(stores_state_total(data.is_active))
        try:
            tx.commit(created_id=store_id)
            return store
        except TxCancelled as exc:
            if "slug" not in exc.failed:
                raise
            if data.slug:
                raise field_error("slug", SLUG_TAKEN) from None
    raise lost_every_race("store.create")


def get_store(store_id: str, *, actor: Principal) -> StoreItem:
    """One store (customers: active ones only)."""
    return visible_store(get_item(StoreItem, keys.store_key(store_id)), actor)


def load_store(store_id: str) -> StoreItem:
    """A live store by id, without visibility rules (replays of a create)."""
    return live_store(get_item(StoreItem, keys.store_key(store_id)))


def list_stores(params: StoreListQuery, *, actor: Principal) -> Page[StoreItem]:
    """Stores newest first, optionally by state; customers see active stores only."""
    is_active = params.is_active
    if not policies.sees_inactive_stores(actor):
        if is_active is False:
            return single_page([], params.per_page)
        is_active = True
    if is_active is None:
        def query(limit: int, start: dict[str, Any] | None) -> Any:
            return StoreItem.gsi1.query(keys.stores_all_partition(), limit=limit, page_size=limit,
                                        last_evaluated_key=start, scan_index_forward=False)

        return paginate(query, params=params, scope="stores", total=STORES_ALL, index="gsi1")

    def query_state(limit: int, start: dict[str, Any] | None) -> Any:
        return StoreItem.gsi2.query(keys.stores_state_partition(is_active), limit=limit, page_size=limit,
                                    last_evaluated_key=start, scan_index_forward=False)

    return paginate(query_state, params=params, scope=f"stores:active={is_active}",
                    total=stores_state_total(bool(is_active)), index="gsi2")


def load_for_change(store_id: str, *, actor: Principal) -> StoreItem:
    """The store a manager changes, with the store-scope policy applied (one read: store + membership)."""
    member = member_key_of(store_id, actor)
    found = batch_get([keys.store_key(store_id)] + ([member] if member else []))
    store = live_store(found.get(keys.store_key(store_id)))
    if not policies.can_manage_store(actor, is_member=member is None or member in found):
        raise Forbidden()
    return store


def replace_store(store_id: str, data: StoreCreate, *, actor: Principal, if_match: str | None) -> StoreItem:
    """PUT: every field from the body (absent optional ones are cleared; an absent slug is kept)."""
    changes = data.model_dump()
    if data.slug is None:
        changes.pop("slug")
    return _apply(store_id, changes, actor=actor, if_match=if_match)


def update_store(store_id: str, data: StorePatch, *, actor: Principal, if_match: str | None) -> StoreItem:
    """PATCH: only the fields the body names."""
    changes = {name: getattr(data, name) for name in data.model_fields_set}
    if "address" in changes and data.address is not None:
        changes["address"] = data.address.model_dump()
    return _apply(store_id, changes, actor=actor, if_match=if_match)


def _apply(store_id: str, changes: dict[str, Any], *, actor: Principal, if_match: str | None) -> StoreItem:
    """Read, check If-Match, write on the version read; a concurrent write in between: 412 with If-Match,
    otherwise the change is applied again on a fresh read (core.concurrency.guarded_write)."""
    return guarded_write(lambda: load_for_change(store_id, actor=actor), store_out,
                         lambda store: _write(store, changes), if_match)


def _write(store: StoreItem, changes: dict[str, Any]) -> StoreItem:
    store_id = store.id
    seen_version = store.version
    old_slug, was_active, old_currency = store.slug, bool(store.is_active), store.currency
    for name, value in changes.items():
        setattr(store, name, value)
    store.version = seen_version + 1
    store.updated_at = now_iso()
    _state_keys(store)
    tx = Tx()
    if store.slug != old_slug:
        tx.reserve(SLUG_KIND, store.slug, store_id, label="slug")
        tx.release(SLUG_KIND, old_slug)
    if bool(store.is_active) != was_active:
        tx.count(stores_state_total(was_active), -1)
        tx.count(stores_state_total(bool(store.is_active)))
    if store.currency != old_currency:
        # Overrides are in the store's currency (catalog/prices): none may exist, checked on the total they move.
        tx.check(Counter, keys.counter_key(store_prices_total(store_id)),
                 Counter.total.does_not_exist() | (Counter.total <= 0), label="prices")
    # The version seen is the condition: a concurrent update makes this one fail instead of overwriting it.
    tx.put(store, label="store", condition=(StoreItem.version == seen_version) & StoreItem.deleting_at.does_not_exist())
    try:
        tx.commit()
    except TxCancelled as exc:
        if "slug" in exc.failed:
            raise field_error("slug", SLUG_TAKEN) from None
        if "prices" in exc.failed:
            raise Conflict(CURRENCY_LOCKED) from None
        if "store" in exc.failed:
            raise StaleVersion() from None
        raise
    return store

