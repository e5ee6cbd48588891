"""Role use cases: list, read, create, replace and delete custom roles (built-in roles are read-only)."""
from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.core import keys
from chalicelib.core.concurrency import StaleVersion, guarded_write
from chalicelib.core.errors import Conflict, Forbidden, NotFound
from chalicelib.core.i18n import T
from chalicelib.core.pagination import Page, PageQuery, paginate
from chalicelib.core.table import now_iso
from chalicelib.core.tx import Counter, Tx, TxCancelled, read_total
from chalicelib.identity import policies
from chalicelib.identity.accounts import users_role_total
from chalicelib.identity.authn import Principal
from chalicelib.identity.models import RoleItem
from chalicelib.identity.permissions import BUILTIN_ROLES
from chalicelib.identity.schemas import RoleIn, RoleOut, RolePatch, RoleReplace

ROLES_CUSTOM = "roles:custom"
ROLE_EXISTS = T("Ce rôle existe déjà.", "This role already exists.")
ROLE_BUILTIN = T("Les rôles intégrés ne peuvent être ni modifiés ni supprimés.",
                 "Built-in roles can be neither changed nor deleted.")
NOT_YOURS_TO_GRANT = T("Vous ne pouvez pas accorder des permissions que vous n'avez pas : {names}.",
                       "You cannot grant permissions you do not hold: {names}.")
ROLE_NOT_YOURS = T("Seul un administrateur peut modifier ce rôle (vous le détenez, ou il accorde plus que vos permissions).",
                   "Only an administrator can change this role (you hold it, or it grants more than you hold).")
ROLE_IN_USE = T("Ce rôle est encore attribué à des utilisateurs.", "This role is still held by users.")


def list_roles(params: PageQuery) -> Page[RoleItem]:
    """Every role by name (gsi1 ROLES); the total is the built-in ones plus the custom-role counter."""

    def query(limit: int, start: dict[str, Any] | None) -> Any:
        return RoleItem.gsi1.query(keys.roles_partition(), limit=limit, page_size=limit, last_evaluated_key=start)

    return paginate(query, params=params, scope="roles", index="gsi1",
                    total=lambda: len(BUILTIN_ROLES) + read_total(ROLES_CUSTOM))


def get_role(name: str, *, consistent: bool = False) -> RoleItem:
    """One role by name, or 404."""
    try:
        return RoleItem.get(*keys.role_key(name), consistent_read=consistent)
    except RoleItem.DoesNotExist:
        raise NotFound() from None


def create_role(data: RoleIn, *, actor: Principal) -> RoleItem:
    """A custom role with permissions from the catalogue (only ones the author holds); its name is its id."""
    _require_grantable(actor, data.permissions)
    if data.name in BUILTIN_ROLES:
        raise Conflict(ROLE_EXISTS, errors={"name": [ROLE_EXISTS.render()]})
    now = now_iso()
    role = RoleItem(*keys.role_key(data.name), name=data.name, description=data.description,
                    permissions=set(data.permissions) or None, builtin=False, created_at=now, updated_at=now,
                    gsi1pk=keys.roles_partition(), gsi1sk=data.name)
    tx = Tx()
    tx.create(role, label="role")
    tx.count(ROLES_CUSTOM)
    try:
        tx.commit(created_id=data.name)
    except TxCancelled as exc:
        if "role" in exc.failed:
            raise Conflict(ROLE_EXISTS, errors={"name": [ROLE_EXISTS.render()]}) from None
        raise
    return role


def replace_role(name: str, data: RoleReplace | RolePatch, *, actor: Principal, if_match: str | None) -> RoleItem:
    """Replace a custom role's description and permissions (PUT), or only the fields a RolePatch was given
    (PATCH); they apply to holders' next request."""
    return guarded_write(lambda: _custom_role(name, actor), _role_out, lambda role: _replace(role, data, actor),
                         if_match)


def _replace(role: RoleItem, data: RoleReplace | RolePatch, actor: Principal) -> RoleItem:
    given = data.model_fields_set if isinstance(data, RolePatch) else {"permissions", "description"}
    if "permissions" in given:
        _require_grantable(actor, list(data.permissions or ()))
    now = now_iso()
    actions = [RoleItem.updated_at.set(now), RoleItem.version.add(1)]
    if "permissions" in given:
        actions.append(RoleItem.permissions.set(set(data.permissions or ()) or None))
    if "description" in given:
        actions.append(RoleItem.description.set(data.description) if data.description is not None
                       else RoleItem.description.remove())
    try:
        role.update(actions=actions, condition=RoleItem.version == role.version)  # answers the new item
    except UpdateError:
        raise StaleVersion() from None  # changed between our read and our write
    return role


def delete_role(name: str, *, actor: Principal, if_match: str | None) -> None:
    """Delete a custom role nobody holds (trashed users included: restoring them needs the role)."""
    guarded_write(lambda: _custom_role(name, actor), _role_out, _delete, if_match)


def _delete(role: RoleItem) -> None:
    name = role.name
    tx = Tx()
    tx.delete(RoleItem, keys.role_key(name), condition=RoleItem.version == role.version, label="role")
    tx.check(Counter, keys.counter_key(users_role_total(name)),
             Counter.total.does_not_exist() | (Counter.total <= 0), label="holders")
    tx.count(ROLES_CUSTOM, -1)
    try:
        tx.commit()
    except TxCancelled as exc:
        if "holders" in exc.failed:
            raise Conflict(ROLE_IN_USE) from None
        if "role" in exc.failed:
            raise StaleVersion() from None
        raise


def _custom_role(name: str, actor: Principal) -> RoleItem:
    """The custom role a write changes, once the actor may change it (its version then guards the write)."""
    role = get_role(name, consistent=True)
    if role.builtin or name in BUILTIN_ROLES:
        raise Forbidden(ROLE_BUILTIN)
    if not policies.can_change_role(actor, name, role.permissions or ()):
        raise Forbidden(ROLE_NOT_YOURS)
    return role


def _require_grantable(actor: Principal, permissions: list[str]) -> None:
    """403 when a role would carry permissions its author does not hold."""
    beyond = policies.permissions_beyond(actor, permissions)
    if beyond:
        raise Forbidden(NOT_YOURS_TO_GRANT, names=", ".join(beyond))


def _role_out(role: RoleItem) -> RoleOut:
    return RoleOut.from_item(role)
