"""Who may do what to a user account (plain functions over the principal)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.identity.authn import Principal


def can_view_user(principal: Principal, user_id: str) -> bool:
    """Anyone reads itself; others need users.view."""
    return principal.user_id == user_id or principal.can("users.view")


def can_update_user(principal: Principal, user_id: str) -> bool:
    """Anyone updates itself (within limits, see below); others need users.update."""
    return principal.user_id == user_id or principal.can("users.update")


def can_set_roles(principal: Principal) -> bool:
    """Roles are an admin's business only (a users.update holder could otherwise promote itself)."""
    return principal.is_admin


def can_set_active(principal: Principal) -> bool:
    """Activation belongs to account managers, never to the account itself."""
    return principal.can("users.update")


def can_delete_user(principal: Principal, user_id: str) -> bool:
    """users.delete, and never one's own account (the last admin could lock everyone out)."""
    return principal.can("users.delete") and principal.user_id != user_id


def can_change_account(principal: Principal, target_roles: list[str]) -> bool:
    """Only an admin changes an admin's account (credentials, e-mail, roles, state, existence): a users.*
    holder who could reset an admin's password or e-mail would log in as that admin."""
    return principal.is_admin or "admin" not in target_roles


def needs_current_password(principal: Principal, user_id: str) -> bool:
    """Changing one's own login (password or e-mail) proves the current password: a stolen access token alone
    must not take the account over. Account managers changing someone else's do not know it."""
    return principal.user_id == user_id
