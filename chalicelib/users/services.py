"""User account use cases: list, read, create, update, soft delete, restore (one transaction each)."""
from __future__ import annotations

from typing import Any

from chalicelib.core import keys
from chalicelib.core.concurrency import StaleVersion, guarded_write, lost_every_race, require_match
from chalicelib.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
    field_error,
)
from chalicelib.core.i18n import T
from chalicelib.core.pagination import Page, paginate
from chalicelib.core.table import now_iso
from chalicelib.core.tx import Tx, TxCancelled
from chalicelib.identity.accounts import (
    USERS_ALL,
    USERS_LIVE,
    USERS_TRASHED,
    add_role,
    membership_item,
    new_account,
    remove_role,
    users_role_state_total,
    users_role_total,
)
from chalicelib.identity.authn import Principal
from chalicelib.identity.models import RoleMembershipItem, UserItem
from chalicelib.identity.passwords import hash_password, verify_password
from chalicelib.identity.schemas import UserOut
from chalicelib.identity.services.auth import email_taken
from chalicelib.users import policies
from chalicelib.users.schemas import UserCreate, UserListQuery

UNKNOWN_ROLE = T("Rôle inconnu : {name}.", "Unknown role: {name}.")
ROLES_ADMIN_ONLY = T("Seul un administrateur peut attribuer des rôles.", "Only an administrator can assign roles.")
ACTIVE_FORBIDDEN = T("Vous ne pouvez pas modifier l'activation de ce compte.", "You cannot change this account's activation.")
ADMINS_ONLY = T("Seul un administrateur peut modifier le compte d'un administrateur.",
                "Only an administrator can change an administrator's account.")
SELF_DELETE = T("Vous ne pouvez pas supprimer votre propre compte.", "You cannot delete your own account.")
NOT_TRASHED = T("Cet utilisateur n'est pas supprimé.", "This user is not deleted.")
CURRENT_PASSWORD_WRONG = T("Le mot de passe actuel est incorrect.", "The current password is incorrect.")
# Kept as worded (clients may match it): "your own" password or e-mail, the two parts of the login.
CURRENT_PASSWORD_MISSING = T("Le mot de passe actuel est obligatoire pour changer le vôtre.",
                             "The current password is required to change your own.")
ATTEMPTS = 3  # re-reads after a concurrent write before answering 409


def list_users(params: UserListQuery) -> Page[Any]:
    """Users newest first; `role` reads memberships (their copy of the user), `trashed` picks the index."""
    trashed = params.trashed
    scope = f"users:role={params.role or ''}:trashed={trashed or ''}"
    if params.role:
        role = params.role
        if trashed == "with":
            index, partition, total = "gsi1", keys.role_users_partition(role), users_role_total(role)
        else:
            index = "gsi2"
            partition = keys.role_users_state_partition(role, trashed == "only")
            total = users_role_state_total(role, trashed == "only")
        model: Any = RoleMembershipItem
    else:
        if trashed == "with":
            index, partition, total = "gsi1", keys.users_all_partition(), USERS_ALL
        else:
            index = "gsi2"
            partition = keys.users_state_partition(trashed == "only")
            total = USERS_TRASHED if trashed == "only" else USERS_LIVE
        model = UserItem
    idx = getattr(model, index)

    def query(limit: int, start: dict[str, Any] | None) -> Any:
        return idx.query(partition, limit=limit, page_size=limit, last_evaluated_key=start, scan_index_forward=False)

    page = paginate(query, params=params, scope=scope, total=total, index=index)
    outputs = [UserOut.model_validate(item.user) if isinstance(item, RoleMembershipItem) else UserOut.from_item(item)
               for item in page.items]
    return Page(items=outputs, meta=page.meta)  # type: ignore[arg-type]


def get_user(user_id: str, *, consistent: bool = False) -> UserItem:
    """One user, trashed ones included (their `deleted_at` says so), or 404."""
    try:
        return UserItem.get(*keys.user_key(user_id), consistent_read=consistent)
    except UserItem.DoesNotExist:
        raise NotFound() from None


def create_user(data: UserCreate, *, actor: Principal) -> UserItem:
    """An account made by a user manager; only admins choose its roles (default: customer)."""
    if data.roles is not None and not policies.can_set_roles(actor):
        raise Forbidden(ROLES_ADMIN_ONLY)
    roles = sorted(set(data.roles)) if data.roles is not None else ["customer"]
    tx, user = new_account(data.name, data.email, data.password, roles, is_active=data.is_active)
    _commit(tx, created_id=user.id)
    return user


def update_user(user_id: str, changes: dict[str, Any], *, actor: Principal, if_match: str | None) -> UserItem:
    """Apply `changes` (PUT or PATCH fields) with optimistic locking; retried on a concurrent write unless
    the client pinned a version with If-Match (then 412)."""
    if not policies.can_update_user(actor, user_id):
        raise Forbidden()
    if "roles" in changes and not policies.can_set_roles(actor):
        raise Forbidden(ROLES_ADMIN_ONLY)
    if "is_active" in changes and not policies.can_set_active(actor):
        raise Forbidden(ACTIVE_FORBIDDEN)
    current_password = changes.pop("current_password", None)
    password_hash = None
    proven = False
    for attempt in range(ATTEMPTS):
        user = _live_user(user_id)
        _require_account_change(actor, user)
        require_match(if_match, UserOut.from_item(user))
        if not proven and _changes_login(user, changes) and policies.needs_current_password(actor, user_id):
            _check_current_password(user, current_password)
            proven = True
        if "password" in changes and password_hash is None:
            password_hash = hash_password(changes["password"])
        updated = _apply(user, changes, password_hash)
        if updated is None:
            return user
        tx = _update_tx(user, updated)
        try:
            _commit(tx)
            return updated
        except TxCancelled as exc:
            if "user" not in exc.failed or if_match:
                raise (PreconditionFailed() if if_match and "user" in exc.failed else Conflict()) from None
    raise lost_every_race("user.update")


def delete_user(user_id: str, *, actor: Principal, if_match: str | None) -> None:
    """Soft delete: the account stops authenticating at once, its e-mail stays reserved."""
    if not policies.can_delete_user(actor, user_id):
        raise Forbidden(SELF_DELETE if actor.user_id == user_id else None)
    _change_state(user_id, trashed=True, actor=actor, if_match=if_match)


def restore_user(user_id: str, *, actor: Principal, if_match: str | None = None) -> UserItem:
    """Bring a soft-deleted user back (same e-mail, same roles; its sessions stay ended)."""
    return _change_state(user_id, trashed=False, actor=actor, if_match=if_match)


# --- the pieces ----------------------------------------------------------------------------------
def _clone(user: UserItem) -> UserItem:
    """An independent copy (a shallow copy would share PynamoDB's attribute values with the original)."""
    return UserItem.from_raw_data(user.to_dynamodb_dict())


def _live_user(user_id: str) -> UserItem:
    user = get_user(user_id, consistent=True)
    if user.deleted_at:
        raise NotFound()
    return user


def _require_account_change(actor: Principal, user: UserItem) -> None:
    """403 unless the actor may change this account (checked on the account as read, before any write)."""
    if not policies.can_change_account(actor, user.role_list()):
        raise Forbidden(ADMINS_ONLY)


def _changes_login(user: UserItem, changes: dict[str, Any]) -> bool:
    """A new password, or a new e-mail (the login): what a session must prove the current password for."""
    return "password" in changes or ("email" in changes and changes["email"].lower() != user.email)


def _end_sessions(user: UserItem) -> None:
    """Void every token and session issued so far, for good: authn and refresh compare token_version, and
    nothing ever lowers it (restoring or re-activating the account does not bring them back)."""
    user.token_version = (user.token_version or 1) + 1


def _check_current_password(user: UserItem, current_password: str | None) -> None:
    if not current_password:
        raise field_error("current_password", CURRENT_PASSWORD_MISSING)
    if not verify_password(user.password_hash, current_password):
        raise field_error("current_password", CURRENT_PASSWORD_WRONG)


def _apply(user: UserItem, changes: dict[str, Any], password_hash: str | None) -> UserItem | None:
    """The user as it will be after `changes`, or None when nothing changes."""
    updated = _clone(user)
    changed = False
    for field in ("name", "email", "is_active"):
        if field in changes and getattr(user, field) != changes[field]:
            setattr(updated, field, changes[field])
            changed = True
    if "roles" in changes and sorted(set(changes["roles"])) != user.role_list():
        updated.roles = set(changes["roles"]) or None
        changed = True
    if password_hash is not None:
        updated.password_hash = password_hash
        changed = True
    if not changed:
        return None
    # A new password or e-mail (the login), or a deactivation, ends every session, the caller's included.
    if password_hash is not None or updated.email != user.email or (user.is_active and not updated.is_active):
        _end_sessions(updated)
    updated.version = user.version + 1
    updated.updated_at = now_iso()
    return updated


def _update_tx(old: UserItem, new: UserItem) -> Tx:
    """Write the user (guarded by its version), its e-mail reservation and its memberships, in one transaction."""
    tx = Tx()
    tx.put(new, label="user", condition=UserItem.version == old.version)
    if new.email != old.email:
        tx.reserve("email", new.email, new.id, label="email")
        tx.release("email", old.email)
    before, after = set(old.role_list()), set(new.role_list())
    for role in sorted(after - before):
        add_role(tx, new, role)
    for role in sorted(before - after):
        remove_role(tx, old, role)
    for role in sorted(before & after):
        tx.put(membership_item(new, role), label=f"role:{role}")  # keep the copy the role filter lists
    return tx


def _change_state(user_id: str, *, trashed: bool, actor: Principal, if_match: str | None) -> UserItem:
    """Soft delete or restore; a concurrent write in between is re-read and retried (412 with If-Match)."""
    def load() -> UserItem:
        user = get_user(user_id, consistent=True)
        if bool(user.deleted_at) != (not trashed):
            raise NotFound() if trashed else Conflict(NOT_TRASHED)
        _require_account_change(actor, user)
        return user

    return guarded_write(load, UserOut.from_item, lambda user: _write_state(user, trashed), if_match)


def _write_state(user: UserItem, trashed: bool) -> UserItem:
    updated = _clone(user)
    if trashed:
        _end_sessions(updated)
    now = now_iso()
    updated.deleted_at = now if trashed else None
    updated.gsi2pk = keys.users_state_partition(trashed)
    updated.version = user.version + 1
    updated.updated_at = now
    tx = Tx()
    tx.put(updated, label="user", condition=UserItem.version == user.version)
    tx.count(USERS_LIVE, -1 if trashed else 1)
    tx.count(USERS_TRASHED, 1 if trashed else -1)
    for role in user.role_list():
        tx.put(membership_item(updated, role), label=f"role:{role}")
        tx.count(users_role_state_total(role, not trashed), -1)
        tx.count(users_role_state_total(role, trashed), 1)
    try:
        _commit(tx)
    except TxCancelled as exc:
        raise StaleVersion() from exc
    return updated


def _commit(tx: Tx, *, created_id: str | None = None) -> None:
    """Commit; map the identity labels to answers (taken e-mail → 409, unknown custom role → 422)."""
    try:
        tx.commit(created_id=created_id)
    except TxCancelled as exc:
        if "email" in exc.failed:
            raise email_taken() from None
        unknown = [label.split(":", 1)[1] for label in exc.failed if label.startswith("role-exists:")]
        if unknown:
            raise ValidationFailed(errors={"roles": [UNKNOWN_ROLE.render(name=name) for name in unknown]}) from None
        raise

