"""Stock records (units of a variant in a store, in the product's partition) and their movements (in a ledger
partition of their own)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.core.table import Entity


class StockItem(Entity, discriminator="stock"):
    """pk PRODUCT#<pid>, sk STOCK#<vid>#<sid>: units of a variant in a store (never below the reserved units).

    `holds`: the reservations holding units here, {reservation id: [units, expires_at]}; `reserved` is their
    sum as stored (expired holds included until a write or the sweep drops them: reads subtract those)."""

    product_id = UnicodeAttribute()
    variant_id = UnicodeAttribute()
    store_id = UnicodeAttribute()
    quantity = NumberAttribute(default=0)
    reserved = NumberAttribute(null=True)
    holds = JSONAttribute(null=True)
    last_movement = UnicodeAttribute(null=True)  # the id of its latest movement: the next ones sort after it


class MovementItem(Entity, discriminator="stock_movement"):
    """pk LEDGER#<vid>#<sid>, sk MOVE#<id>; gsi1 STORE#<sid>#MOVEMENTS / <id>. Written once, never changed."""

    id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    variant_id = UnicodeAttribute()
    store_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    delta = NumberAttribute(default=0)
    quantity_after = NumberAttribute(default=0)
    reserved_after = NumberAttribute(default=0)
    reason = UnicodeAttribute(null=True)
    reference = UnicodeAttribute(null=True)
    reservation_id = UnicodeAttribute(null=True)
    actor_id = UnicodeAttribute(null=True)


def store_stock_partition(store_id: str) -> str:
    """gsi1 of StockItem: every stock record of a store (store deletion cleans them up)."""
    return f"STORE#{store_id}#STOCK"


def entry_movements_total(variant_id: str, store_id: str) -> str:
    """Counter name: the movements of one stock entry."""
    return f"movements:{variant_id}:{store_id}"


def store_movements_total(store_id: str) -> str:
    """Counter name: the movements of one store."""
    return f"movements:store:{store_id}"


def stock_indexes(product_id: str, variant_id: str, store_id: str) -> dict[str, str]:
    """A stock record's index keys: gsi1, every record of its store; gsi5, next to the variant in its lookup
    partition, so a variant read gets its stock in the same Query."""
    from chalicelib.core import keys

    return {"gsi1pk": store_stock_partition(store_id), "gsi1sk": f"{product_id}#{variant_id}",
            "gsi5pk": keys.lookup_partition("VARIANT", variant_id), "gsi5sk": f"STOCK#{store_id}"}


def stock_item(product_id: str, variant_id: str, store_id: str, quantity: int) -> StockItem:
    from chalicelib.core import keys
    from chalicelib.core.table import now_iso

    pk, sk = keys.stock_key(product_id, variant_id, store_id)
    now = now_iso()
    return StockItem(pk, sk, product_id=product_id, variant_id=variant_id, store_id=store_id, quantity=quantity,
                     created_at=now, updated_at=now, **stock_indexes(product_id, variant_id, store_id))


def active_reserved(holds: dict[str, Any], now: str) -> int:
    """Units held by reservations whose expiry has not come: from `expires_at` on, a hold counts for nothing."""
    return sum(int(units) for units, expires_at in holds.values() if expires_at > now)


def require_unheld(entries: Iterable[StockItem], now: str) -> None:
    """409 while active reservations hold units in these records: a cascade that deletes them (a variant
    delete, a detach) would make units a checkout holds vanish; commit or release them first."""
    from chalicelib.catalog import messages as msg
    from chalicelib.core.errors import Conflict

    held = sum(active_reserved(entry.holds or {}, now) for entry in entries)
    if held:
        raise Conflict(msg.STOCK_RESERVED, reserved=held)
