"""The rows of a bulk price write (PUT /stores/{id}/prices): validated, read, and cut into transactions.

A bulk write is one transaction when it fits (the usual case: rows of a few products). Each row costs two
parts (the variant still there, the override), each product one (its link), each transaction four more
(membership, store, no other bulk write in progress, the total); a request over 100 parts (e.g. 100
single-variant products) is staged (staging.py).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links.policies import check_store_scope
from chalicelib.catalog.prices.models import PriceBatchItem, PriceItem, store_prices_total
from chalicelib.catalog.prices.schemas import PriceRow
from chalicelib.catalog.prices.writes import (
    guard_store,
    not_busy,
    price_key_of,
    record_on_link,
    write_override,
)
from chalicelib.catalog.products.models import VariantItem
from chalicelib.catalog.variants.pointers import variant_by_pointer
from chalicelib.catalog.variants.services import require_compare_at_not_below
from chalicelib.core import keys
from chalicelib.core.batch import batch_get
from chalicelib.core.errors import ValidationFailed
from chalicelib.core.table import now_iso
from chalicelib.core.tx import MAX_ITEMS, Tx, TxCancelled
from chalicelib.identity.authn import Principal

_ROW_COST, _PRODUCT_COST, _TX_OVERHEAD = 2, 1, 4


@dataclass
class Row:
    index: int
    data: PriceRow
    variant: VariantItem
    current: PriceItem | None = None
    item: PriceItem | None = None


def _row_error(errors: dict[str, list[str]], index: int, field: str, message: Any, **params: object) -> None:
    errors.setdefault(f"items.{index}.{field}", []).append(message.render(**params))


def pointer_keys(items: list[PriceRow]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(keys.variant_pointer_key(data.variant_id) for data in items))


def plan(store_id: str, items: list[PriceRow], found: dict, *, lenient: bool = False) -> list[Row]:
    """Validate every row (all errors at once, `items.<n>.<field>`): compare_at ≥ price, each variant once,
    known, and its product attached to the store. `found`: the rows' variant pointers, already read; then one
    consistent BatchGetItem (per 100 keys) of the links and of the overrides already there (create or
    replace). `lenient`: finishing an interrupted write, rows no longer valid are dropped instead."""
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    rows: list[Row] = []
    for index, data in enumerate(items):
        try:
            require_compare_at_not_below(data.price, data.compare_at_price)
        except ValidationFailed:
            _row_error(errors, index, "compare_at_price", msg.COMPARE_AT_BELOW_PRICE)
        if data.variant_id in seen:
            _row_error(errors, index, "variant_id", msg.PRICE_ROW_DUPLICATE)
            continue
        seen.add(data.variant_id)
        variant = variant_by_pointer(data.variant_id, found)
        if variant is None:
            _row_error(errors, index, "variant_id", msg.VARIANT_NOT_FOUND)
            continue
        rows.append(Row(index, data, variant))
    links = {keys.product_store_key(row.variant.product_id, store_id) for row in rows}
    current = batch_get(sorted(links) + [price_key_of(row.variant, store_id) for row in rows])
    for row in rows:
        if keys.product_store_key(row.variant.product_id, store_id) not in current:
            _row_error(errors, row.index, "variant_id", msg.NOT_ATTACHED)
    _set_current(store_id, rows, current)
    if lenient:
        return [row for row in rows if not any(name.startswith(f"items.{row.index}.") for name in errors)]
    if errors:
        raise ValidationFailed(errors=dict(sorted(errors.items(), key=lambda kv: int(kv[0].split(".")[1]))))
    return rows


def _set_current(store_id: str, rows: list[Row], found: Mapping[tuple[str, str], Any]) -> None:
    """Each row's override as `found` has it (read in a BatchGetItem): the version its write conditions on."""
    for row in rows:
        override = found.get(price_key_of(row.variant, store_id))
        row.current = override if isinstance(override, PriceItem) else None


def refresh(store_id: str, rows: list[Row]) -> list[Row]:
    """The rows' current overrides again (after a cancelled transaction): versions to write on."""
    if rows:
        _set_current(store_id, rows, batch_get(price_key_of(row.variant, store_id) for row in rows))
    return rows


def chunks(rows: list[Row]) -> list[list[Row]]:
    """The rows in transactions of ≤ 100 parts, a product's rows kept together while they fit."""
    out: list[list[Row]] = [[]]
    cost, products = _TX_OVERHEAD, set()
    for row in sorted(rows, key=lambda r: (r.variant.product_id, r.index)):
        extra = _ROW_COST + (0 if row.variant.product_id in products else _PRODUCT_COST)
        if cost + extra > MAX_ITEMS:
            out.append([])
            cost, products = _TX_OVERHEAD, set()
            extra = _ROW_COST + _PRODUCT_COST
        out[-1].append(row)
        cost += extra
        products.add(row.variant.product_id)
    return out


def store_guards(tx: Tx, store_id: str, currency: str, actor: Principal | None) -> None:
    """What opens every transaction of a bulk write: the caller's scope (`actor`; none when finishing another
    writer's request) and the store, open and in `currency`."""
    if actor is not None:
        check_store_scope(tx, store_id, actor)
    guard_store(tx, store_id, currency)


def chunk_tx(store_id: str, currency: str, rows: list[Row], actor: Principal | None, *, token: str | None) -> Tx:
    """One transaction of rows: scope (`actor`), store, the bulk-write guard (none in progress, or ours:
    `token`), one link update per product, the rows, the total."""
    now = now_iso()
    tx = Tx()
    store_guards(tx, store_id, currency, actor)
    if token is None:
        not_busy(tx, store_id)
    else:
        tx.check(PriceBatchItem, keys.price_batch_key(store_id), PriceBatchItem.token == token, label="batch")
    by_product: dict[str, set[str]] = {}
    for row in rows:
        by_product.setdefault(row.variant.product_id, set()).add(row.variant.id)
    for product_id, variant_ids in sorted(by_product.items()):
        record_on_link(tx, product_id, store_id, variant_ids, label=f"link:{product_id}")
    for row in rows:
        row.item = write_override(tx, row.variant, store_id, row.data, currency, row.current, now,
                                  suffix=f":{row.index}")
    created = sum(1 for row in rows if row.current is None)
    if created:
        tx.count(store_prices_total(store_id), created)
    return tx


def gone_rows(rows: list[Row], exc: TxCancelled) -> dict[int, Any]:
    """Rows whose variant was deleted or whose product was detached since they were read."""
    gone = {row.index: msg.VARIANT_NOT_FOUND for row in rows if f"variant:{row.index}" in exc.failed}
    gone |= {row.index: msg.NOT_ATTACHED for row in rows if f"link:{row.variant.product_id}" in exc.failed}
    return gone
