"""Who is calling: verify the bearer token, then one BatchGetItem (user, session, custom roles) decides."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.core import keys
from chalicelib.core.batch import batch_get
from chalicelib.core.errors import Forbidden, Unauthenticated
from chalicelib.core.keys import Key
from chalicelib.identity.models import RoleItem, SessionItem, UserItem
from chalicelib.identity.permissions import BUILTIN_ROLES, CATALOG_STAFF_PERMISSION, STORE_STAFF_PERMISSIONS


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as every policy sees it."""

    user_id: str
    roles: tuple[str, ...]
    permissions: frozenset[str]
    session_id: str
    user: UserItem | None = field(default=None, compare=False, repr=False)

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def sees_inactive_catalog(self) -> bool:
        """Staff of the catalog see inactive entries; customers never do."""
        return self.can(CATALOG_STAFF_PERMISSION)

    @property
    def sees_inactive_stores(self) -> bool:
        """People who run stores see inactive stores; customers never do (catalog/links/policies.store_shown)."""
        return any(self.can(permission) for permission in STORE_STAFF_PERMISSIONS)


def require(principal: Principal | None, permission: str) -> Principal:
    """The policy gate of every protected route: 401 without a caller, 403 without the permission."""
    if principal is None:
        raise Unauthenticated()
    if not principal.can(permission):
        raise Forbidden()
    return principal


def permissions_for(roles: list[str] | tuple[str, ...], custom: dict[str, RoleItem]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        if role in BUILTIN_ROLES:
            granted |= BUILTIN_ROLES[role]
        elif role in custom:
            granted |= set(custom[role].permissions or ())
    return frozenset(granted)


def authenticate(authorization: str | None, also: Callable[[str], list[Key]] | None = None,
                 ) -> tuple[Principal, Mapping[Key, Any]]:
    """Turn an `Authorization: Bearer …` header into a Principal, or raise 401; with the items at the keys
    `also(user_id)` names (a route's first reads), fetched in the same BatchGetItem."""
    from chalicelib.identity.tokens import (
        verify_access_token,  # PyJWT only loads on authenticated routes
    )

    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated()
    claims = verify_access_token(token.strip())
    if claims is None:
        raise Unauthenticated()
    wanted = [keys.user_key(claims.user_id), keys.session_key(claims.user_id, claims.session_id)]
    wanted += [keys.role_key(role) for role in claims.roles if role not in BUILTIN_ROLES]
    extra = also(claims.user_id) if also else []
    found = batch_get(list(dict.fromkeys(wanted + extra)), consistent=False)
    user = found.get(keys.user_key(claims.user_id))
    session = found.get(keys.session_key(claims.user_id, claims.session_id))
    if not isinstance(user, UserItem) or not isinstance(session, SessionItem):
        raise Unauthenticated()
    if user.deleted_at or not user.is_active or session.revoked_at:
        raise Unauthenticated()
    # A change of roles or of password (token_version) voids every token issued before it.
    if tuple(user.role_list()) != tuple(sorted(claims.roles)):
        raise Unauthenticated()
    if user.token_version != claims.token_version or session.token_version != user.token_version:
        raise Unauthenticated()
    custom = {item.name: item for item in found.values() if isinstance(item, RoleItem)}
    principal = Principal(user.id, tuple(user.role_list()), permissions_for(claims.roles, custom), session.id, user)
    return principal, {key: found[key] for key in extra if key in found}

