"""A bulk price write too large for one transaction: staged behind a PriceBatchItem, and finished by the next
writer of the store's prices when its own writer stopped half-way (its lease has passed)."""
from __future__ import annotations

import json
import time
from typing import Any

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links.policies import commit_in_store_scope
from chalicelib.catalog.prices.models import PriceBatchItem
from chalicelib.catalog.prices.rows import Row, chunk_tx, chunks, gone_rows, plan, pointer_keys, refresh, store_guards
from chalicelib.catalog.prices.schemas import PriceRow
from chalicelib.catalog.prices.writes import LEASE_SECONDS
from chalicelib.core import keys
from chalicelib.core.batch import batch_get
from chalicelib.core.concurrency import ATTEMPTS, lost_every_race
from chalicelib.core.errors import NotFound
from chalicelib.core.lookups import get_item
from chalicelib.core.table import now_iso
from chalicelib.core.tx import Tx, TxCancelled
from chalicelib.identity.authn import Principal


class Busy(Exception):
    """Another bulk write of the store is in progress (its PriceBatchItem exists)."""


class StoreChanged(Exception):
    """The store's condition failed: being deleted, or its currency changed since it was read."""


def raise_for_guards(exc: TxCancelled) -> None:
    """A bulk write's transaction failed on the store (`StoreChanged`) or on another bulk write (`Busy`)."""
    if "store" in exc.failed:
        raise StoreChanged() from None
    if "busy" in exc.failed:
        raise Busy() from None


def apply_staged(store_id: str, currency: str, items: list[PriceRow], parts: list[list[Row]],
                 actor: Principal | None, *, token: str | None = None) -> None:
    """More parts than one transaction holds: a PriceBatchItem holding the whole request is created first
    (the store open, in that currency, no other bulk write in progress; the caller's membership), then each
    chunk is written on condition that it is still ours, then it is deleted. Overrides of the store are written
    by no one else meanwhile (they all require no PriceBatchItem), and if this writer stops half-way the next
    writer of the store's prices finishes the request from the PriceBatchItem once its lease has passed: the
    rows are all applied, never some. Rows whose variant is deleted or whose product is detached meanwhile
    are dropped (the deletion comes after the write). `token`: a request taken over, already claimed."""
    key = keys.price_batch_key(store_id)
    if token is None:
        token = _start(store_id, currency, items, actor)
    for chunk in parts:
        for _ in range(ATTEMPTS * 2):
            if not chunk:
                break
            try:
                chunk_tx(store_id, currency, chunk, None, token=token).commit()
                break
            except TxCancelled as exc:
                if "batch" in exc.failed:
                    return  # another writer took over the expired lease and finished the request
                if "store" in exc.failed:
                    # Being deleted (its currency cannot have changed: the first chunk's overrides lock it, or
                    # overrides were there already): nothing to finish, the deletion removes the overrides.
                    _release(key, token)
                    raise NotFound(msg.STORE_NOT_FOUND) from None
                gone = gone_rows(chunk, exc)
                if not gone and exc.failed:
                    raise
                for row in chunk:
                    if row.index in gone:
                        row.item = None
                chunk = refresh(store_id, [row for row in chunk if row.index not in gone])
        else:
            raise lost_every_race("prices.staged")  # the lease runs out and the next writer finishes the request
    _release(key, token)


def _start(store_id: str, currency: str, items: list[PriceRow], actor: Principal | None) -> str:
    """Create the PriceBatchItem (label `busy`) under the store's guards; its token."""
    from ulid import ULID

    token = str(ULID())
    start = Tx()
    store_guards(start, store_id, currency, actor)
    start.create(PriceBatchItem(*keys.price_batch_key(store_id), token=token, currency=currency,
                                lease_until=now_iso(LEASE_SECONDS),
                                rows=json.dumps([row.model_dump() for row in items]),
                                expires_at=int(time.time()) + 24 * 3600), label="busy")
    try:
        commit_in_store_scope(start)
    except TxCancelled as exc:
        raise_for_guards(exc)
        raise
    return token


def _release(key: tuple[str, str], token: str) -> None:
    done = Tx()
    done.delete(PriceBatchItem, key, condition=PriceBatchItem.token == token, label="batch")
    try:
        done.commit()
    except TxCancelled:
        pass  # taken over and finished by another writer


def wait_for_batch(store_id: str, deadline: float) -> bool:
    """Another bulk write of the store is in progress: wait for it (polling its item), or finish it when its
    lease has passed (its writer stopped half-way). False when it is still running at `deadline`."""
    key = keys.price_batch_key(store_id)
    while time.monotonic() < deadline:
        batch = get_item(PriceBatchItem, key)
        if batch is None:
            return True
        if batch.lease_until < now_iso():
            _take_over(store_id, batch)
            return True
        time.sleep(0.05)
    return False


def _take_over(store_id: str, batch: Any) -> None:
    """Finish an interrupted bulk write: claim its item (new token and lease), apply its rows, delete it."""
    from ulid import ULID

    token = str(ULID())
    claim = Tx()
    claim.update(PriceBatchItem, keys.price_batch_key(store_id),
                 [PriceBatchItem.token.set(token), PriceBatchItem.lease_until.set(now_iso(LEASE_SECONDS))],
                 condition=PriceBatchItem.token == batch.token, label="batch")
    try:
        claim.commit()
    except TxCancelled:
        return  # someone else claimed it first
    items = [PriceRow.model_validate(row) for row in json.loads(batch.rows)]
    rows = plan(store_id, items, batch_get(pointer_keys(items)), lenient=True)
    apply_staged(store_id, batch.currency, items, chunks(rows), None, token=token)
