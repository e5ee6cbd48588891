"""Who may do what with a store: plain functions over the principal (membership facts come from the caller)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chalicelib.core import keys
from chalicelib.core.table import Entity
from chalicelib.identity.authn import Principal
from chalicelib.stores.models import StockItem, StoreItem


def acts_on_any_store(principal: Principal) -> bool:
    """Admins act on every store; everyone else only on the stores they belong to."""
    return principal.is_admin


def can_manage_store(principal: Principal, *, is_member: bool) -> bool:
    """Update, delete and attach users: the permission is checked by the route; this adds the store scope."""
    return acts_on_any_store(principal) or is_member


def can_change_stock(principal: Principal, *, is_member: bool) -> bool:
    """Stock of a store: admins anywhere, managers and staff only where they belong."""
    return acts_on_any_store(principal) or is_member


def sees_inactive_stores(principal: Principal) -> bool:
    """Customers see active stores only; people who run stores (stores.update or stock.update) see all."""
    return principal.sees_inactive_stores


# --- the one visibility rule for stores, wherever a store is rendered or filtered on ------------------
# (GET /stores, a store's products, `include=stores`, every stock listing, `GET /products?store_id=`).
def store_shown(store: Any, *, sees_inactive: bool) -> bool:
    """Nobody sees a store being deleted (or gone); only people who run stores see an inactive one."""
    if isinstance(store, dict):  # a raw item from a BatchGetItem
        store = Entity.from_raw_data(store) if "type" in store else None
    return isinstance(store, StoreItem) and not store.deleting_at and (sees_inactive or bool(store.is_active))


def stock_store_keys(records: Iterable[StockItem], *, sees_inactive: bool) -> list[tuple[str, str]]:
    """The stores a read must fetch (in the BatchGetItem it already makes) to filter these stock records;
    none for people who see every store."""
    return [] if sees_inactive else list(dict.fromkeys(keys.store_key(r.store_id) for r in records))


def shown_stock(records: Iterable[StockItem], found: Mapping[tuple[str, str], Any], *,
                sees_inactive: bool) -> list[StockItem]:
    """The stock records whose store is shown; a store the read did not fetch is not shown (fail closed)."""
    if sees_inactive:
        return list(records)
    return [r for r in records if store_shown(found.get(keys.store_key(r.store_id)), sees_inactive=False)]


def sees_inactive_products(principal: Principal) -> bool:
    return principal.sees_inactive_catalog
