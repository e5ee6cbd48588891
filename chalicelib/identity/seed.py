"""Seeds the built-in roles and the first admin account; running it twice changes nothing."""
from __future__ import annotations

from chalicelib.core import keys
from chalicelib.core.table import Entity, now_iso
from chalicelib.core.tx import TxCancelled
from chalicelib.identity.accounts import new_account
from chalicelib.identity.models import RoleItem
from chalicelib.identity.permissions import BUILTIN_ROLES, ROLE_DESCRIPTIONS


def seed_builtin_roles() -> None:
    """Write the four built-in roles (overwriting them keeps their permissions in step with the code)."""
    now = now_iso()
    for name, permissions in BUILTIN_ROLES.items():
        pk, sk = keys.role_key(name)
        RoleItem(pk, sk, name=name, description=ROLE_DESCRIPTIONS[name], permissions=set(permissions), builtin=True,
                 created_at=now, updated_at=now, gsi1pk=keys.roles_partition(), gsi1sk=name).save()


def seed_admin(email: str, password: str, name: str = "Administrator") -> bool:
    """Create the admin account unless the e-mail is already taken; True when created."""
    tx, _ = new_account(name, email, password, ["admin"])
    try:
        tx.commit()
    except TxCancelled:
        return False
    return True


def seed(email: str, password: str) -> bool:
    Entity._get_connection()
    seed_builtin_roles()
    return seed_admin(email, password)
