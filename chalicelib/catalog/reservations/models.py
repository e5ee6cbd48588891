"""A reservation: units of one store's stock held until `hold_until`, in a partition of its own."""
from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute

from chalicelib.core.table import Entity


class ReservationItem(Entity, discriminator="reservation"):
    """pk RESERVATION#<id>; while active, gsi1 RESERVATIONS#ACTIVE / <hold_until>#<id> (sparse: the sweep's
    list of due reservations, removed when it ends). `lines`: [{variant_id, product_id, quantity}].
    (`expires_at` is the table's TTL attribute: a reservation keeps its history, so its end is `hold_until`.)"""

    id = UnicodeAttribute()
    store_id = UnicodeAttribute()
    status = UnicodeAttribute(default="active")  # as stored: an active one past hold_until reads `expired`
    lines = JSONAttribute()
    reference = UnicodeAttribute(null=True)
    hold_until = UnicodeAttribute()
    actor_id = UnicodeAttribute(null=True)
