"""Who may hand out what (API.md §3): plain functions over the principal."""
from __future__ import annotations

from collections.abc import Iterable

from chalicelib.identity.authn import Principal


def permissions_beyond(principal: Principal, permissions: Iterable[str]) -> list[str]:
    """The permissions the caller would hand out without holding them (admins hold everything)."""
    return [] if principal.is_admin else sorted(set(permissions) - principal.permissions)


def can_change_role(principal: Principal, name: str, permissions: Iterable[str]) -> bool:
    """Change or delete a custom role: admins any; others only a role they do not hold (their own token
    would gain what they write) whose permissions they all hold (no stripping a stronger role)."""
    if principal.is_admin:
        return True
    return name not in principal.roles and not permissions_beyond(principal, permissions)
