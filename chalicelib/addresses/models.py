"""Address items: in their owner's partition (another user's address is simply not there), plus the
address book item whose `default_id` is the one default address (the condition that keeps it single)."""
from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute

from chalicelib.core.table import Entity


class AddressItem(Entity, discriminator="address"):
    """pk USER#<uid>, sk ADDRESS#<id>; gsi1 ADDRESS#<id>/ADDRESS finds it by id alone (admin reads)."""

    id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    label = UnicodeAttribute(null=True)
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    line1 = UnicodeAttribute()
    line2 = UnicodeAttribute(null=True)
    city = UnicodeAttribute()
    postal_code = UnicodeAttribute()
    country = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    is_default = BooleanAttribute(default=False)


class AddressBookItem(Entity, discriminator="address_book"):
    """pk USER#<uid>, sk ADDRESSBOOK: which address is the default. Every change of default is conditioned
    on the value read, so two concurrent "make default" never both win."""

    user_id = UnicodeAttribute(null=True)
    default_id = UnicodeAttribute(null=True)


def addresses_total(user_id: str) -> str:
    """Counter behind `meta.total` of a user's address list."""
    return f"addresses:user:{user_id}"
