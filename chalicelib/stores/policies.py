"""Who may do what with a store: plain functions over the principal (membership facts come from the caller)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.identity.authn import Principal


def acts_on_any_store(principal: Principal) -> bool:
    """Admins act on every store; everyone else only on the stores they belong to."""
    return principal.is_admin


def can_manage_store(principal: Principal, *, is_member: bool) -> bool:
    """Update, delete and attach users: the permission is checked by the route; this adds the store scope."""
    return acts_on_any_store(principal) or is_member


def sees_inactive_stores(principal: Principal) -> bool:
    """Customers see active stores only; people who run stores (stores.update or stock.update) see all."""
    return principal.can("stores.update") or principal.can("stock.update")
