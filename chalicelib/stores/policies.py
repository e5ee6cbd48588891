"""Who may do what with a store: plain functions over the principal (membership facts come from the caller).
The store scope and the store visibility rule are the catalog's (catalog/links/policies.py: links and stock
follow them too); this domain applies the same functions."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.catalog.links.policies import acts_on_any_store as acts_on_any_store
from chalicelib.catalog.links.policies import store_shown as store_shown

if TYPE_CHECKING:
    from chalicelib.identity.authn import Principal


def can_manage_store(principal: Principal, *, is_member: bool) -> bool:
    """Update, delete and attach users: the permission is checked by the route; this adds the store scope."""
    return acts_on_any_store(principal) or is_member


def sees_inactive_stores(principal: Principal) -> bool:
    """Customers see active stores only; people who run stores (stores.update or stock.update) see all."""
    return principal.sees_inactive_stores
