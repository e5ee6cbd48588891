"""Reservations: hold units of several variants of one store, all or nothing; commit, release; expiry.

The holds live on the stock entries (`StockItem.holds`), so a stock read sees them without another call and
an expired hold stops counting the moment its time comes; the next write on the entry, or the sweep (every
minute), drops it and writes its `expired` movement.

Calls (measured by tests/test_inventory_reservations.py): create = one BatchGetItem (the variants' pointers,
the caller's membership, the Idempotency-Key record) + one BatchGetItem (the stock entries) + one
TransactWriteItems, for 1 item as for 20; commit / release = GetItem + BatchGetItem + TransactWriteItems."""
from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from ulid import ULID

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links.policies import check_store_scope, require_store_scope, store_scope_keys
from chalicelib.catalog.reservations.models import ReservationItem
from chalicelib.catalog.reservations.schemas import ReservationCreate, ReservationLineOut, ReservationOut
from chalicelib.catalog.stock.changes import (
    WRITE_ATTEMPTS,
    WRITE_BACKOFF,
    EntryChange,
    commit_changes,
    drop_expired_within,
    movement_ids,
)
from chalicelib.catalog.stock.models import StockItem
from chalicelib.catalog.variants.pointers import variant_by_pointer
from chalicelib.core import keys
from chalicelib.core.batch import batch_get
from chalicelib.core.concurrency import guarded_write
from chalicelib.core.errors import Conflict, NotFound, ValidationFailed
from chalicelib.core.keys import Key
from chalicelib.core.lookups import get_item
from chalicelib.core.table import Entity, iso, now_iso, open_condition, utcnow
from chalicelib.core.tx import IdempotentReplay, Tx, current_claim
from chalicelib.identity.authn import Principal

log = logging.getLogger(__name__)

SWEEP_LIMIT = 200  # reservations one sweep run expires at most (the next run, a minute later, takes the rest)
SWEEP_BUDGET_SECONDS = 40.0  # and for at most this long (the function's timeout is 60 s)


def status_of(item: ReservationItem, now: str | None = None) -> str:
    """An active reservation whose time has come reads `expired` before the sweep has written it."""
    if item.status == "active" and item.hold_until <= (now or now_iso()):
        return "expired"
    return item.status


def reservation_out(item: ReservationItem) -> ReservationOut:
    return ReservationOut(id=item.id, status=status_of(item), store_id=item.store_id, reference=item.reference,
                          items=[ReservationLineOut(**line) for line in item.lines], expires_at=item.hold_until,
                          created_at=item.created_at)


def _locate(body: ReservationCreate, actor: Principal) -> dict[str, str]:
    """variant id → product id for the lines, by the variants' pointers, in one BatchGetItem that also carries
    the caller's membership (403 before anything is revealed) and the Idempotency-Key's record (a spent key
    replays at once). A variant created before pointers existed is found by its gsi5 lookup instead."""
    claim = current_claim()
    spent = keys.idempotency_key(claim.actor_id, claim.key) if claim is not None else None
    pointers = [keys.variant_pointer_key(line.variant_id) for line in body.items]
    found = batch_get(pointers + store_scope_keys([body.store_id], actor) + ([spent] if spent else []))
    require_store_scope([body.store_id], actor, found)
    if spent and spent in found and claim is not None:
        raise IdempotentReplay(claim)
    variants = (variant_by_pointer(line.variant_id, found) for line in body.items)
    return {variant.id: variant.product_id for variant in variants if variant is not None}


def _not_stocked(indexes: list[int]) -> ValidationFailed:
    return ValidationFailed(errors={f"items.{n}.variant_id": [msg.NOT_STOCKED.render()] for n in indexes})


def create_reservation(body: ReservationCreate, *, actor: Principal) -> ReservationItem:
    """Hold every line's units or none: a short line → 409 naming `items.<n>.quantity`; a variant without
    stock in the store → 422 on `items.<n>.variant_id`."""
    products = _locate(body, actor)
    missing = [n for n, line in enumerate(body.items) if line.variant_id not in products]
    if missing:
        raise _not_stocked(missing)
    stock_keys = [keys.stock_key(products[line.variant_id], line.variant_id, body.store_id) for line in body.items]
    reservation_id = str(ULID())

    def load() -> dict[Key, Any]:
        return batch_get(stock_keys)

    def write(found: dict[Key, Any]) -> ReservationItem:
        absent = [n for n, key in enumerate(stock_keys) if not isinstance(found.get(key), StockItem)]
        if absent:
            raise _not_stocked(absent)
        moment = utcnow()
        now, until = iso(moment), iso(moment + timedelta(seconds=body.ttl_seconds))
        ids = movement_ids(found[key] for key in stock_keys)
        changes = [EntryChange((products[line.variant_id], line.variant_id, body.store_id), found[key], now=now,
                               actor_id=actor.user_id, movement_id=ids) for line, key in zip(body.items, stock_keys)]
        drop_expired_within(changes, 4)  # the reservation, the store, the membership, the Idempotency-Key
        short = {f"items.{n}.quantity": [msg.STOCK_SHORT.render(available=max(change.available, 0))]
                 for n, (line, change) in enumerate(zip(body.items, changes))
                 if not change.hold(reservation_id, line.quantity, until)}
        if short:
            raise Conflict(msg.RESERVATION_SHORT, errors=short)
        pk, sk = keys.reservation_key(reservation_id)
        item = ReservationItem(pk, sk, id=reservation_id, store_id=body.store_id, status="active",
                               lines=[{"variant_id": line.variant_id, "product_id": products[line.variant_id],
                                       "quantity": line.quantity} for line in body.items],
                               reference=body.reference, hold_until=until, actor_id=actor.user_id,
                               created_at=now, updated_at=now, gsi1pk=keys.due_reservations_partition(),
                               gsi1sk=f"{until}#{reservation_id}")
        tx = Tx()
        tx.create(item, label="reservation")
        tx.check(Entity, keys.store_key(body.store_id), open_condition(), label="store")
        check_store_scope(tx, body.store_id, actor)
        commit_changes(tx, changes, body.store_id, created_id=reservation_id)
        return item

    return guarded_write(load, None, write, None, attempts=WRITE_ATTEMPTS, backoff=WRITE_BACKOFF)


def load_reservation(reservation_id: str) -> ReservationItem:
    item = get_item(ReservationItem, keys.reservation_key(reservation_id))
    if item is None:
        raise NotFound(msg.RESERVATION_NOT_FOUND)
    return item


def get_reservation(reservation_id: str, *, actor: Principal) -> ReservationItem:
    """One reservation; a member of another store gets 403 (its id names nothing they may see)."""
    item = load_reservation(reservation_id)
    require_store_scope([item.store_id], actor)
    return item


def _end(reservation_id: str, status: str, actor: Principal | None) -> ReservationItem:
    """active → committed | released | expired, with one movement per line, in one transaction; of two
    concurrent ends exactly one wins (the others find it no longer active: 409). `actor` None: the sweep."""

    def load() -> tuple[ReservationItem, dict[Key, Any]]:
        item = load_reservation(reservation_id)
        wanted = [keys.stock_key(line["product_id"], line["variant_id"], item.store_id) for line in item.lines]
        found = batch_get(wanted + (store_scope_keys([item.store_id], actor) if actor else []))
        if actor is not None:
            require_store_scope([item.store_id], actor, found)
        return item, found

    def write(state: tuple[ReservationItem, dict[Key, Any]]) -> ReservationItem:
        item, found = state
        now = now_iso()
        current = status_of(item, now)
        # commit and release need an active reservation; the sweep expires one whose time has come
        allowed = current == "active" if status != "expired" else (item.status == "active" and current == "expired")
        if not allowed:
            raise Conflict(msg.RESERVATION_NOT_ACTIVE, status=current)
        ids = movement_ids(entry for entry in found.values() if isinstance(entry, StockItem))
        changes, gone = [], []
        for n, line in enumerate(item.lines):
            entry = found.get(keys.stock_key(line["product_id"], line["variant_id"], item.store_id))
            if isinstance(entry, StockItem) and reservation_id in (entry.holds or {}):
                changes.append(EntryChange((line["product_id"], line["variant_id"], item.store_id), entry, now=now,
                                           actor_id=actor.user_id if actor else None, movement_id=ids))
            else:  # its stock record went with its store: nothing of it is held any more
                gone.append(n)
        if gone and status == "committed":  # the units cannot leave a stock that is not there
            raise Conflict(msg.RESERVATION_HOLD_GONE, errors={f"items.{n}.variant_id": [msg.HOLD_GONE.render()]
                                                                for n in gone})
        drop_expired_within(changes, 2)  # the reservation, the membership
        for change in changes:
            if status == "committed":
                change.commit(reservation_id)
            else:
                change.release(reservation_id, kind=status)
        tx = Tx()
        tx.update(ReservationItem, keys.reservation_key(reservation_id),
                  [ReservationItem.status.set(status), ReservationItem.gsi1pk.remove(), ReservationItem.gsi1sk.remove(),
                   ReservationItem.updated_at.set(now), ReservationItem.version.add(1)],
                  condition=(ReservationItem.status == "active") & (ReservationItem.version == item.version),
                  label="reservation")
        if actor is not None:
            check_store_scope(tx, item.store_id, actor)
        commit_changes(tx, changes, item.store_id)
        item.status, item.updated_at = status, now
        return item

    return guarded_write(load, None, write, None, attempts=WRITE_ATTEMPTS, backoff=WRITE_BACKOFF)


def commit_reservation(reservation_id: str, *, actor: Principal) -> ReservationItem:
    """The held units leave the stock (quantity and reserved go down); active reservations only."""
    return _end(reservation_id, "committed", actor)


def release_reservation(reservation_id: str, *, actor: Principal) -> ReservationItem:
    """The held units are available again; active reservations only."""
    return _end(reservation_id, "released", actor)


def sweep(*, limit: int = SWEEP_LIMIT, budget_seconds: float = SWEEP_BUDGET_SECONDS) -> dict[str, int]:
    """Expire the reservations whose time has come: the sparse index lists them by expiry (a Query, no scan);
    each one's `expired` movements are written and its holds cleared (those a write already dropped are
    skipped). Bounded in count and time; what is left waits for the next run."""
    started = time.monotonic()
    now = now_iso()
    due = ReservationItem.gsi1.query(keys.due_reservations_partition(), Entity.gsi1sk <= f"{now}#~",
                                     limit=limit, page_size=min(limit, 100))
    expired = failed = 0
    for item in due:
        if time.monotonic() - started > budget_seconds:
            break
        try:
            _end(item.id, "expired", None)
            expired += 1
        except Conflict:  # committed or released meanwhile, or lost every race: the next run sees it again
            failed += 1
        except Exception:  # noqa: BLE001 - one reservation's failure (throttling, a timeout) must not stop the rest
            log.exception("reservation sweep: %s not expired", item.id)
            failed += 1
    log.info("reservation sweep: %d expired, %d skipped", expired, failed)
    return {"expired": expired, "skipped": failed}
