"""Stock per (variant, store): read a variant's stock, set it, adjust it, delete it; every change writes its
movement in the same transaction (`EntryChange`, which reservations use too); the movement lists.

A write reads the entry (consistent), computes the new state and commits it on the condition that the entry's
`version` did not move; a lost race is applied again on the fresh state (`guarded_write` with a backoff), so
no update is lost and `quantity >= reserved` holds on every committed state."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NoReturn

from ulid import ULID

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links.models import ProductStoreItem
from chalicelib.catalog.links.policies import (
    check_store_scope,
    member_key_of,
    out_of_store_scope,
    require_store_scope,
)
from chalicelib.catalog.products.models import VariantItem
from chalicelib.catalog.stock.models import (
    MovementItem,
    StockItem,
    VariantLocator,
    entry_movements_total,
    store_movements_total,
    store_stock_partition,
)
from chalicelib.catalog.stock.schemas import MAX_STOCK, MovementOut, StockOut
from chalicelib.catalog.variants.services import read_variant
from chalicelib.core import keys
from chalicelib.core.batch import batch_get, counter_value
from chalicelib.core.concurrency import StaleVersion, guarded_write
from chalicelib.core.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed, field_error
from chalicelib.core.lookups import get_item, lookup
from chalicelib.core.pagination import Page, PageQuery, paginate
from chalicelib.core.table import Entity, now_iso
from chalicelib.core.tx import MAX_ITEMS, Tx, TxCancelled
from chalicelib.identity.authn import Principal

# A hot entry (many clients adjusting or reserving at once) retries its conditional write on the fresh state.
WRITE_ATTEMPTS = 50
WRITE_BACKOFF = 0.02  # seconds: the random pause before a retry grows with the attempt (up to 8×)
Key = tuple[str, str]


def find_variant(variant_id: str) -> VariantItem:
    """A variant by its id alone: one Query on gsi5 (VARIANT#<id>)."""
    return lookup(VariantItem, "VARIANT", variant_id, msg.VARIANT_NOT_FOUND)


# --- levels: what an entry holds at a moment (expired holds no longer count) --------------------------------
def holds_of(item: StockItem | None) -> dict[str, list[Any]]:
    """{reservation id: [units, expires_at]} as stored (expired ones included until cleaned up)."""
    return {rid: list(hold) for rid, hold in ((item.holds or {}) if item is not None else {}).items()}


def active_reserved(holds: dict[str, list[Any]], now: str) -> int:
    """Units held by reservations whose expiry has not come: from `expires_at` on, a hold counts for nothing."""
    return sum(int(units) for units, expires_at in holds.values() if expires_at > now)


def stock_out(item: StockItem, now: str | None = None) -> StockOut:
    quantity = int(item.quantity or 0)
    reserved = active_reserved(holds_of(item), now or now_iso())
    return StockOut(product_id=item.product_id, variant_id=item.variant_id, store_id=item.store_id,
                    quantity=quantity, reserved=reserved, available=quantity - reserved, updated_at=item.updated_at)


def movement_out(item: MovementItem) -> MovementOut:
    return MovementOut(id=item.id, variant_id=item.variant_id, store_id=item.store_id, kind=item.kind,
                       delta=int(item.delta), quantity_after=int(item.quantity_after),
                       reserved_after=int(item.reserved_after), reason=item.reason, reference=item.reference,
                       reservation_id=item.reservation_id, actor_id=item.actor_id, created_at=item.created_at)


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
        if self.deleted:
            tx.delete(StockItem, self.key, condition=StockItem.version == self.current.version, label=self.label)
            tx.update(ProductStoreItem, keys.product_store_key(self.product_id, self.store_id),
                      [ProductStoreItem.variant_ids.delete({self.variant_id})],
                      condition=ProductStoreItem.pk.exists(), label="link")
        elif self.current is None:
            tx.update(StockItem, self.key, _upsert(self.product_id, self.variant_id, self.store_id, self.now)
                      + [StockItem.quantity.set(self.quantity), StockItem.reserved.set(self.held),
                         StockItem.holds.set(self.holds), StockItem.last_movement.set(self.movements[-1].id)],
                      condition=StockItem.pk.does_not_exist(), label=self.label)
            # The first record of a variant anywhere: reservations find its product by key from now on.
            tx.put(VariantLocator(*keys.variant_locator_key(self.variant_id), product_id=self.product_id),
                   label="locator")
            # Updating the link both requires it (the store carries the product) and records that this variant
            # has stock there, so detaching deletes exactly the right records.
            tx.update(ProductStoreItem, keys.product_store_key(self.product_id, self.store_id),
                      [ProductStoreItem.variant_ids.add({self.variant_id})],
                      condition=ProductStoreItem.pk.exists(), label="link")
        else:
            tx.update(StockItem, self.key, [StockItem.quantity.set(self.quantity),
                                            StockItem.reserved.set(self.held), StockItem.holds.set(self.holds),
                                            StockItem.last_movement.set(self.movements[-1].id),
                                            StockItem.updated_at.set(self.now), StockItem.version.add(1)],
                      condition=StockItem.version == self.current.version, label=self.label)
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
        total += 3 + len(change.movements) + (2 if change.current is None else 0)
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
    return [Entity.type.set(StockItem), StockItem.product_id.set(product_id), StockItem.variant_id.set(variant_id),
            StockItem.store_id.set(store_id), StockItem.gsi1pk.set(store_stock_partition(store_id)),
            StockItem.gsi1sk.set(f"{product_id}#{variant_id}"),
            StockItem.gsi5pk.set(keys.lookup_partition("VARIANT", variant_id)), StockItem.gsi5sk.set(f"STOCK#{store_id}"),
            StockItem.created_at.set(StockItem.created_at | now), StockItem.updated_at.set(now),
            StockItem.version.add(1)]


# --- the stock routes' use cases ---------------------------------------------------------------------------
def list_variant_stock(variant_id: str, *, sees_inactive: bool,
                       sees_inactive_stores: bool) -> tuple[VariantItem, list[StockItem]]:
    """The variant's stock in every store the caller may see: the variant read of the catalog (one Query of
    its gsi5 partition, one BatchGetItem of the product and, for customers, the stores), without the gallery.
    The entries carry their holds, so `reserved` costs nothing more however many reservations hold units."""
    found = read_variant(variant_id, sees_inactive=sees_inactive, sees_inactive_stores=sees_inactive_stores,
                         gallery=False)
    return found.variant, found.stock


def _current(product_id: str, variant_id: str, store_id: str) -> StockItem | None:
    return get_item(StockItem, keys.stock_key(product_id, variant_id, store_id))


def _variant_and_entry(variant_id: str, store_id: str) -> tuple[VariantItem, StockItem | None]:
    """The variant and its stock record in the store, in ONE Query of the variant's gsi5 partition (sort keys
    from STOCK#<store> on: that record, the variant, and the records of stores sorting after it). An index read
    may lag: the write's version condition catches it, and the retry reads the record itself."""
    found = list(Entity.gsi5.query(keys.lookup_partition("VARIANT", variant_id), Entity.gsi5sk >= f"STOCK#{store_id}"))
    variant = next((item for item in found if isinstance(item, VariantItem)), None)
    if variant is None:
        raise NotFound(msg.VARIANT_NOT_FOUND)
    entry = next((item for item in found if isinstance(item, StockItem) and item.store_id == store_id), None)
    return variant, entry


def _write_entry(variant_id: str, store_id: str, actor: Principal, if_match: str | None,
                 apply: Any, *, missing: Any = None) -> EntryChange:
    """Read the entry, `apply(change)`, commit with the movements; retried on a lost race.
    Calls: one Query (the variant and the entry) and one TransactWriteItems; a retry (and a write with
    If-Match) reads the entry with a consistent GetItem."""
    variant, first = _variant_and_entry(variant_id, store_id)
    pid = variant.product_id
    ids = (pid, variant_id, store_id)
    # If-Match is compared with the record itself (consistent), never with an index copy that may lag.
    reads: list[StockItem | None] = [] if if_match else [first]

    def load() -> StockItem | None:
        current = reads.pop() if reads else _current(*ids)
        if current is None and missing is not None:
            missing()
        return current

    def write(current: StockItem | None) -> EntryChange:
        change = EntryChange(ids, current, now=now_iso(), actor_id=actor.user_id, movement_id=movement_ids([current]))
        drop_expired_within([change], 1)  # beside the membership check
        try:
            apply(change)
        except (Conflict, ValidationFailed):
            require_store_scope([store_id], actor)  # an outsider learns nothing of the store's stock: 403 first
            raise
        tx = Tx()
        check_store_scope(tx, store_id, actor)
        commit_changes(tx, [change], store_id)
        return change

    def render(current: StockItem | None) -> StockOut:
        if current is None:
            raise PreconditionFailed()
        return stock_out(current)

    return guarded_write(load, render, write, if_match, attempts=WRITE_ATTEMPTS, backoff=WRITE_BACKOFF)


def set_stock(variant_id: str, store_id: str, quantity: int, *, actor: Principal,
              if_match: str | None = None) -> StockItem:
    """PUT: the quantity of a variant in a store (created when missing); the store must carry the product, and
    the quantity cannot go below the units reserved there (409). A `set` movement records new − old."""
    return _write_entry(variant_id, store_id, actor, if_match, lambda change: change.set_quantity(quantity)).written()


def adjust_stock(variant_id: str, store_id: str, delta: int, *, actor: Principal, reason: str = "correction",
                 reference: str | None = None) -> StockItem:
    """Add `delta` (±): never below the reserved units (nor zero) and never above the cap (409, unchanged),
    never a lost update; an `adjust` movement with the reason and reference."""

    def apply(change: EntryChange) -> None:
        if change.current is None and delta < 0:
            if get_item(ProductStoreItem, keys.product_store_key(change.product_id, store_id)) is None:
                raise field_error("store_id", msg.NOT_ATTACHED)
        change.adjust(delta, reason=reason, reference=reference)

    return _write_entry(variant_id, store_id, actor, None, apply).written()


def delete_stock(variant_id: str, store_id: str, *, actor: Principal, if_match: str | None = None) -> None:
    """Remove the stock record of a variant in a store (and its trace on the link); its movements stay, the
    last one `deleted`. Refused (409) while reservations hold units there."""

    def gone() -> NoReturn:
        require_store_scope([store_id], actor)
        raise NotFound(msg.STOCK_NOT_FOUND)

    _write_entry(variant_id, store_id, actor, if_match, EntryChange.delete, missing=gone)


# --- movement lists ------------------------------------------------------------------------------------------
def _movement_page(query: Any, *, params: PageQuery, scope: str, total: str, index: str, store_id: str,
                   actor: Principal) -> Page[MovementOut]:
    """One page, newest first: one Query plus one BatchGetItem (the total and the caller's membership) on the
    first page, one Query plus the membership's GetItem on later ones (their total rides in the cursor)."""
    member = member_key_of(store_id, actor)
    found: dict[Key, Any] = {}

    def count() -> int:
        found.update(batch_get([keys.counter_key(total), *([member] if member else [])]))
        return counter_value(found.get(keys.counter_key(total)))

    page = paginate(query, params=params, scope=scope, total=count, index=index)
    require_store_scope([store_id], actor, found or None)
    return Page([movement_out(item) for item in page.items], page.meta)


def entry_movements(variant_id: str, store_id: str, params: PageQuery, *, actor: Principal) -> Page[MovementOut]:
    """The movements of one stock entry (kept after the entry is deleted), newest first."""
    partition = keys.stock_ledger_partition(variant_id, store_id)

    def query(limit: int, start: dict[str, Any] | None) -> Iterable[MovementItem]:
        return MovementItem.query(partition, MovementItem.sk.startswith(keys.MOVEMENT_PREFIX), scan_index_forward=False,
                                  limit=limit, page_size=limit, last_evaluated_key=start)

    return _movement_page(query, params=params, scope=f"movements:{variant_id}:{store_id}",
                          total=entry_movements_total(variant_id, store_id), index="", store_id=store_id, actor=actor)


def store_movements(store_id: str, params: PageQuery, *, actor: Principal) -> Page[MovementOut]:
    """Every movement of a store (gsi1 STORE#<id>#MOVEMENTS), newest first."""

    def query(limit: int, start: dict[str, Any] | None) -> Iterable[MovementItem]:
        return MovementItem.gsi1.query(keys.store_movements_partition(store_id), scan_index_forward=False,
                                       limit=limit, page_size=limit, last_evaluated_key=start)

    return _movement_page(query, params=params, scope=f"movements:store:{store_id}",
                          total=store_movements_total(store_id), index="gsi1", store_id=store_id, actor=actor)
