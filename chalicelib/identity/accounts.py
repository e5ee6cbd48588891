"""Building a new account: the user, its e-mail reservation, role memberships and list totals, in one transaction."""
from __future__ import annotations

from ulid import ULID

from chalicelib.core import keys
from chalicelib.core.table import now_iso
from chalicelib.core.tx import Tx
from chalicelib.identity.models import RoleItem, RoleMembershipItem, UserItem
from chalicelib.identity.passwords import hash_password
from chalicelib.identity.permissions import BUILTIN_ROLES

# List totals kept by identity (see docs/data-model.md).
USERS_ALL, USERS_LIVE, USERS_TRASHED = "users:all", "users:live", "users:trashed"


def users_role_total(role: str) -> str:
    """Every holder of `role`, trashed users included (a role they hold cannot be deleted: restore needs it)."""
    return f"users:role:{role}"


def users_role_state_total(role: str, trashed: bool) -> str:
    return f"users:role:{role}:{'trashed' if trashed else 'live'}"


def membership_item(user: UserItem, role: str) -> RoleMembershipItem:
    """The user × role item, indexed by role (all holders on gsi1, live or trashed ones on gsi2)."""
    from chalicelib.identity.schemas import user_snapshot

    pk, sk = keys.user_role_key(user.id, role)
    trashed = user.deleted_at is not None
    return RoleMembershipItem(pk, sk, user_id=user.id, role=role, user=user_snapshot(user),
                              created_at=user.updated_at, updated_at=user.updated_at,
                              gsi1pk=keys.role_users_partition(role), gsi1sk=user.id,
                              gsi2pk=keys.role_users_state_partition(role, trashed), gsi2sk=user.id)


def add_role(tx: Tx, user: UserItem, role: str) -> None:
    """Give `user` the role: membership, totals, and (custom roles) the role must still exist."""
    tx.create(membership_item(user, role), label=f"role:{role}")
    if role not in BUILTIN_ROLES:
        tx.check(RoleItem, keys.role_key(role), RoleItem.pk.exists(), label=f"role-exists:{role}")
    tx.count(users_role_total(role))
    tx.count(users_role_state_total(role, user.deleted_at is not None))


def remove_role(tx: Tx, user: UserItem, role: str) -> None:
    """Take the role from `user` (the totals follow)."""
    tx.delete(RoleMembershipItem, keys.user_role_key(user.id, role), label=f"unrole:{role}")
    tx.count(users_role_total(role), -1)
    tx.count(users_role_state_total(role, user.deleted_at is not None), -1)


def new_account(name: str, email: str, password: str, roles: list[str], *, is_active: bool = True) -> tuple[Tx, UserItem]:
    """A Tx that creates the account (fails on label "email" when the address is taken) and the new user.

    Labels: "email" (address taken), "role-exists:<name>" (a custom role that does not exist)."""
    user_id = str(ULID())
    now = now_iso()
    pk, sk = keys.user_key(user_id)
    user = UserItem(pk, sk, id=user_id, name=name, email=email.lower(), password_hash=hash_password(password),
                    roles=set(roles) or None, is_active=is_active, created_at=now, updated_at=now,
                    gsi1pk=keys.users_all_partition(), gsi1sk=user_id,
                    gsi2pk=keys.users_state_partition(False), gsi2sk=user_id)
    tx = Tx()
    tx.reserve("email", email.lower(), user_id, label="email")
    tx.create(user, label="user")
    for role in sorted(set(roles)):
        add_role(tx, user, role)
    tx.count(USERS_ALL)
    tx.count(USERS_LIVE)
    return tx, user
