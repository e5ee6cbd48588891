"""The two store rules whatever hangs off a product's store links follows (links, stock, `include=stores`,
`GET /products?store_id=`): the store scope (which stores a caller may act on) and the store visibility
rule (which stores a caller sees). The stores domain applies the same functions to its own routes
(stores/policies.py, stores/services/common.py); the catalog reads store items by attribute and never
imports that domain."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chalicelib.catalog.stock.models import StockItem
from chalicelib.core import keys
from chalicelib.core.batch import batch_get, typed
from chalicelib.core.errors import Forbidden
from chalicelib.core.keys import Key
from chalicelib.core.lookups import get_item
from chalicelib.core.table import Entity
from chalicelib.core.tx import Tx, TxCancelled
from chalicelib.identity.authn import Principal


# --- the store scope: what non-admins may touch of a store's stock and product links -----------------
# One rule (acts_on_any_store + membership), two ways to apply it: inside the write's own transaction (no
# extra call, no race), or by reading the memberships first where there is no transaction to ride (or no
# room in it).
def acts_on_any_store(principal: Principal) -> bool:
    """Admins act on every store; everyone else only on the stores they belong to."""
    return principal.is_admin


def member_key_of(store_id: str, actor: Principal) -> Key | None:
    """The caller's membership key when their access to the store depends on it (admins: None)."""
    return None if acts_on_any_store(actor) else keys.store_member_key(store_id, actor.user_id)


def check_store_scope(tx: Tx, store_id: str, actor: Principal) -> None:
    """A ConditionCheck on the actor's membership of the store, in the write's transaction (admins: none)."""
    member = member_key_of(store_id, actor)
    if member is not None:
        tx.check(Entity, member, Entity.pk.exists(), label=f"member:{store_id}")


def out_of_store_scope(exc: TxCancelled) -> bool:
    """Whether a transaction failed on a `check_store_scope` condition (→ 403)."""
    return any(label.startswith("member:") for label in exc.failed)


def commit_in_store_scope(tx: Tx) -> None:
    """Commit a transaction that carries `check_store_scope` conditions: one of them failed → 403; any other
    cancellation is raised on (TxCancelled) for the caller to map."""
    try:
        tx.commit()
    except TxCancelled as exc:
        if out_of_store_scope(exc):
            raise Forbidden() from None
        raise


def store_scope_keys(store_ids: Iterable[str], actor: Principal) -> list[Key]:
    """The membership keys the actor's access to these stores depends on (admins: none)."""
    return [key for key in (member_key_of(sid, actor) for sid in dict.fromkeys(store_ids)) if key is not None]


def require_store_scope(store_ids: Iterable[str], actor: Principal, found: Mapping[Key, Any] | None = None) -> None:
    """403 unless the actor may act on every one of these stores. `found`: memberships already read (from a
    BatchGetItem that carried `store_scope_keys`); otherwise one GetItem (one store) or BatchGetItem."""
    wanted = store_scope_keys(store_ids, actor)
    if not wanted:
        return
    if found is None:
        found = {wanted[0]: get_item(Entity, wanted[0])} if len(wanted) == 1 else batch_get(wanted)
    if any(not isinstance(found.get(key), Entity) for key in wanted):
        raise Forbidden()


# --- the one visibility rule for stores, wherever a store is rendered or filtered on ------------------
# (GET /stores, a store's products, `include=stores`, every stock listing, `GET /products?store_id=`).
def store_shown(store: Any, *, sees_inactive: bool) -> bool:
    """Nobody sees a store being deleted (or gone); only people who run stores see an inactive one.
    `store`: the item at the store's key, typed or raw (from a BatchGetItem), or None."""
    if isinstance(store, dict):
        store = typed(store)
    return (isinstance(store, Entity) and store.sk == "STORE" and not store.deleting_at
            and (sees_inactive or bool(getattr(store, "is_active", False))))


def stock_store_keys(records: Iterable[StockItem], *, sees_inactive: bool) -> list[Key]:
    """The stores a read must fetch (in the BatchGetItem it already makes) to filter these stock records;
    none for people who see every store."""
    return [] if sees_inactive else list(dict.fromkeys(keys.store_key(r.store_id) for r in records))


def shown_stock(records: Iterable[StockItem], found: Mapping[Key, Any], *, sees_inactive: bool) -> list[StockItem]:
    """The stock records whose store is shown; a store the read did not fetch is not shown (fail closed)."""
    if sees_inactive:
        return list(records)
    return [r for r in records if store_shown(found.get(keys.store_key(r.store_id)), sees_inactive=False)]
