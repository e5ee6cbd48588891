"""Store items of the single table: stores and their memberships."""
from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    UnicodeAttribute,
)

from chalicelib.core.table import Entity


class StoreItem(Entity, discriminator="store"):
    """pk STORE#<id>, sk STORE."""

    id = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    currency = UnicodeAttribute(default="EUR")
    address = JSONAttribute(null=True)
    is_active = BooleanAttribute(default=True)
    # `deleting_at` (on Entity) is set when DELETE begins: the store leaves every list and accepts no new link
    # or member (core.table.open_condition); cleanup then removes it.


class StoreMemberItem(Entity, discriminator="store_member"):
    """pk STORE#<sid>, sk MEMBER#<uid>: the user works in the store; gsi1 USER#<uid>#STORES/<sid>."""

    store_id = UnicodeAttribute()
    user_id = UnicodeAttribute()


# --- list totals kept by the stores domain (moved in the same transaction as the writes) ------------
STORES_ALL = "stores:all"


def stores_state_total(is_active: bool) -> str:
    return "stores:active" if is_active else "stores:inactive"


def store_members_total(store_id: str) -> str:
    return f"store:{store_id}:users"


def store_member_item(store_id: str, user_id: str) -> StoreMemberItem:
    from chalicelib.core import keys
    from chalicelib.core.table import now_iso

    pk, sk = keys.store_member_key(store_id, user_id)
    now = now_iso()
    return StoreMemberItem(pk, sk, store_id=store_id, user_id=user_id, created_at=now, updated_at=now,
                           gsi1pk=keys.user_stores_partition(user_id), gsi1sk=store_id)
