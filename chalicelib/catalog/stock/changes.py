"""The write machinery of stock: an entry's levels (holds, reserved), its change within a transaction
(`EntryChange`: the new state and the movements that lead there), and the commit of many such changes
with the store's movement total. The stock use cases (services.py) and reservations share it.

A write reads the entry (consistent), computes the new state and commits it on the condition that the entry's
`version` did not move; a lost race is applied again on the fresh state (`guarded_write` with a backoff), so
no update is lost and `quantity >= reserved` holds on every committed state."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NoReturn

from ulid import ULID

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links.models import ProductStoreItem
from chalicelib.catalog.links.policies import out_of_store_scope
from chalicelib.catalog.stock.models import (
    MovementItem,
    StockItem,
    active_reserved,
    entry_movements_total,
    stock_indexes,
    store_movements_total,
)
from chalicelib.catalog.stock.schemas import MAX_STOCK
from chalicelib.core import keys
from chalicelib.core.concurrency import StaleVersion
from chalicelib.core.errors import Conflict, Forbidden, field_error
from chalicelib.core.keys import Key
from chalicelib.core.table import Entity
from chalicelib.core.tx import MAX_ITEMS, Tx, TxCancelled

# A hot entry (many clients adjusting or reserving at once) retries its conditional write on the fresh state.
WRITE_ATTEMPTS = 50
WRITE_BACKOFF = 0.02  # seconds: the random pause before a retry grows with the attempt (up to 8×)


# --- levels: what an entry holds at a moment (expired holds no longer count) --------------------------------
def holds_of(item: StockItem | None) -> dict[str, list[Any]]:
    """{reservation id: [units, expires_at]} as stored (expired ones included until cleaned up)."""
    return {rid: list(hold) for rid, hold in ((item.holds or {}) if item is not None else {}).items()}


def movement_ids(entries: Iterable[StockItem | None] = ()) -> Iterator[str]:
    """Ids for the movements of one write: ULIDs, strictly increasing in the order the write records them and
    after the latest movement of every entry it writes (writes of an entry are serialised by its version, so
    its list is in the order the changes were applied even within one millisecond)."""
    latest = [int(ULID.from_str(e.last_movement)) for e in entries if e is not None and e.last_movement]
    first = max([int(ULID()), *(n + 1 for n in latest)])
    n = 0
    while True:
        yield str(ULID.from_int(first + n))
        n += 1


# --- one entry's change within a transaction -----------------------------------------------------------------
class EntryChange:
    """The new state of one stock entry and the movements that lead there, staged into a `Tx`.

    Expired holds are dropped first (`drop_expired`: each writes its `expired` movement); the write's condition
    is the version read, so two writers can never both drop (or both count) the same hold."""

    def __init__(self, ids: tuple[str, str, str], current: StockItem | None, *, now: str, actor_id: str | None,
                 movement_id: Iterator[str]) -> None:
        self.product_id, self.variant_id, self.store_id = ids
        self.current = current
        self.now = now
        self.actor_id = actor_id
        self._ids = movement_id
        self.quantity = int(current.quantity or 0) if current is not None else 0
        self.holds = holds_of(current)
        self.movements: list[MovementItem] = []
        self.deleted = False

    @property
    def reserved(self) -> int:
        """Units held by active reservations: an expired hold counts for nothing, even before it is dropped."""
        return active_reserved(self.holds, self.now)

    @property
    def held(self) -> int:
        """Units of every hold still on the entry (what the record's `reserved` stores)."""
        return sum(int(units) for units, _ in self.holds.values())

    @property
    def available(self) -> int:
        return self.quantity - self.reserved

    def record(self, kind: str, delta: int, *, reservation_id: str | None = None, reason: str | None = None,
               reference: str | None = None) -> None:
        movement_id = next(self._ids)
        pk, sk = keys.movement_key(self.variant_id, self.store_id, movement_id)
        self.movements.append(MovementItem(
            pk, sk, id=movement_id, product_id=self.product_id, variant_id=self.variant_id, store_id=self.store_id,
            kind=kind, delta=delta, quantity_after=0 if self.deleted else self.quantity,
            reserved_after=0 if self.deleted else self.reserved, reason=reason, reference=reference,
            reservation_id=reservation_id, actor_id=self.actor_id, created_at=self.now,
            gsi1pk=keys.store_movements_partition(self.store_id), gsi1sk=movement_id))

    def drop_expired(self, room: int) -> int:
        """Release up to `room` expired holds (oldest expiry first), one `expired` movement each."""
        due = sorted((hold[1], rid) for rid, hold in self.holds.items() if hold[1] <= self.now)[:max(room, 0)]
        for _, rid in due:
            self.release(rid, kind="expired")
        return len(due)

    def set_quantity(self, quantity: int) -> None:
        if quantity < self.reserved:
            raise Conflict(msg.STOCK_BELOW_RESERVED, reserved=self.reserved)
        delta, self.quantity = quantity - self.quantity, quantity
        self.record("set", delta)

    def adjust(self, delta: int, *, reason: str, reference: str | None) -> None:
        if self.quantity + delta > MAX_STOCK:
            raise Conflict(msg.STOCK_ABOVE_CAP)
        if self.quantity + delta < self.reserved:
            raise Conflict(msg.STOCK_BELOW_RESERVED if self.reserved else msg.STOCK_INSUFFICIENT, reserved=self.reserved)
        self.quantity += delta
        self.record("adjust", delta, reason=reason, reference=reference)

    def hold(self, reservation_id: str, units: int, expires_at: str) -> bool:
        """Hold `units` for a reservation; False (nothing held) when fewer are available."""
        if units > self.available:
            return False
        self.holds[reservation_id] = [units, expires_at]
        self.record("reserved", 0, reservation_id=reservation_id)
        return True

    def release(self, reservation_id: str, *, kind: str = "released") -> None:
        """The hold's units are available again (`released`, or `expired` by a cleanup)."""
        if self.holds.pop(reservation_id, None) is not None:
            self.record(kind, 0, reservation_id=reservation_id)

    def commit(self, reservation_id: str) -> None:
        """The held units leave the stock: quantity and reserved both go down by them."""
        hold = self.holds.pop(reservation_id, None)
        if hold is not None:
            self.quantity -= int(hold[0])
            self.record("committed", -int(hold[0]), reservation_id=reservation_id)

    def delete(self) -> None:
        if self.reserved:
            raise Conflict(msg.STOCK_RESERVED, reserved=self.reserved)
        delta = -self.quantity
        self.deleted = True
        self.record("deleted", delta)

    @property
    def key(self) -> Key:
        return keys.stock_key(self.product_id, self.variant_id, self.store_id)

    @property
    def label(self) -> str:
        return f"stock:{self.variant_id}"

    def stage(self, tx: Tx) -> None:
        """The entry's write (conditioned on the version read), its movements and its movement total."""
        levels = [StockItem.quantity.set(self.quantity), StockItem.reserved.set(self.held),
                  StockItem.holds.set(self.holds), StockItem.last_movement.set(self.movements[-1].id)]
        if self.deleted:
            tx.delete(StockItem, self.key, condition=StockItem.version == self.current.version, label=self.label)
        elif self.current is None:
            tx.update(StockItem, self.key, _upsert(self.product_id, self.variant_id, self.store_id, self.now) + levels,
                      condition=StockItem.pk.does_not_exist(), label=self.label)
        else:
            tx.update(StockItem, self.key, [*levels, StockItem.updated_at.set(self.now), StockItem.version.add(1)],
                      condition=StockItem.version == self.current.version, label=self.label)
        if self.deleted or self.current is None:
            # Updating the link both requires it (the store carries the product) and records which variants have
            # stock there (added with the first record, removed with the last), so detaching deletes exactly the
            # right records.
            variant_ids = ProductStoreItem.variant_ids
            tx.update(ProductStoreItem, keys.product_store_key(self.product_id, self.store_id),
                      [(variant_ids.delete if self.deleted else variant_ids.add)({self.variant_id})],
                      condition=ProductStoreItem.pk.exists(), label="link")
        for movement in self.movements:
            tx.create(movement, label="movement")
        if self.movements:
            tx.count(entry_movements_total(self.variant_id, self.store_id), len(self.movements))

    def written(self) -> StockItem:
        """The entry as this change leaves it (what writes answer)."""
        pk, sk = self.key
        return StockItem(pk, sk, product_id=self.product_id, variant_id=self.variant_id, store_id=self.store_id,
                         quantity=self.quantity, reserved=self.held, holds=self.holds, updated_at=self.now)


def parts_of(changes: Iterable[EntryChange]) -> int:
    """How many transaction items these changes take once staged, counting for each the one movement the
    operation is about to record and its movement total, plus the store's total."""
    total = 1
    for change in changes:
        total += 3 + len(change.movements) + (1 if change.current is None else 0)
    return total


def drop_expired_within(changes: list[EntryChange], tx_parts: int) -> None:
    """Drop the expired holds of these entries (before the operation records its own movements), as many as
    the transaction has room for beside its `tx_parts` other items; the rest stay: reads already ignore them,
    and the sweep or the next write cleans them up."""
    for change in changes:
        change.drop_expired(MAX_ITEMS - tx_parts - parts_of(changes))


def stage_all(tx: Tx, changes: Iterable[EntryChange], store_id: str) -> None:
    """Stage every change and move the store's movement total once."""
    count = 0
    for change in changes:
        if not change.movements:
            continue  # nothing changed on this entry
        change.stage(tx)
        count += len(change.movements)
    if count:
        tx.count(store_movements_total(store_id), count)


def raise_for(exc: TxCancelled) -> NoReturn:
    """A cancelled stock transaction: out of the store scope → 403; the store does not carry the product → 422;
    a lost race (a version moved, or only TransactionConflict) → StaleVersion, so the write runs again."""
    if out_of_store_scope(exc):
        raise Forbidden() from None
    if "link" in exc.failed:
        raise field_error("store_id", msg.NOT_ATTACHED) from None
    if not exc.failed or any(label.startswith("stock:") or label == "reservation" for label in exc.failed):
        raise StaleVersion() from None
    raise exc


def commit_changes(tx: Tx, changes: list[EntryChange], store_id: str, **commit: Any) -> None:
    stage_all(tx, changes, store_id)
    try:
        tx.commit(**commit)
    except TxCancelled as exc:
        raise_for(exc)


def _upsert(product_id: str, variant_id: str, store_id: str, now: str) -> list[Any]:
    """The actions that make an UpdateItem create the record when it is missing (typed, indexed)."""
    indexes = [getattr(StockItem, name).set(value) for name, value in stock_indexes(product_id, variant_id, store_id).items()]
    return [Entity.type.set(StockItem), StockItem.product_id.set(product_id), StockItem.variant_id.set(variant_id),
            StockItem.store_id.set(store_id), *indexes, StockItem.created_at.set(StockItem.created_at | now),
            StockItem.updated_at.set(now), StockItem.version.add(1)]
