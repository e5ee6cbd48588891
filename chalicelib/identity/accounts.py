"""Building a new account: the user, its e-mail reservation, role memberships and list totals, in one transaction."""
from __future__ import annotations

from ulid import ULID

from chalicelib.core import keys
from chalicelib.core.table import now_iso
from chalicelib.core.tx import Tx
from chalicelib.identity.models import RoleMembershipItem, UserItem
from chalicelib.identity.passwords import hash_password

# List totals kept by identity (see docs/data-model.md).
USERS_ALL, USERS_LIVE, USERS_TRASHED = "users:all", "users:live", "users:trashed"


def users_role_total(role: str) -> str:
    return f"users:role:{role}"


def membership_item(user_id: str, role: str) -> RoleMembershipItem:
    pk, sk = keys.user_role_key(user_id, role)
    return RoleMembershipItem(pk, sk, user_id=user_id, role=role,
                              gsi1pk=keys.role_users_partition(role), gsi1sk=user_id)


def new_account(name: str, email: str, password: str, roles: list[str], *, is_active: bool = True) -> tuple[Tx, UserItem]:
    """A Tx that creates the account (fails on label "email" when the address is taken) and the new user."""
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
    for role in roles:
        tx.create(membership_item(user_id, role), label=f"role:{role}")
        tx.count(users_role_total(role))
    tx.count(USERS_ALL)
    tx.count(USERS_LIVE)
    return tx, user
