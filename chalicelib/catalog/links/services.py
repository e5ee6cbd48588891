"""Product ↔ store links: attach a product to stores, detach it (with its stock). A store's product list is
listing.py."""
from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links.models import ProductStoreItem, product_store_item
from chalicelib.catalog.links.policies import (
    check_store_scope,
    commit_in_store_scope,
    require_store_scope,
    store_scope_keys,
)
from chalicelib.catalog.links.schemas import AttachStoresOut
from chalicelib.catalog.prices.models import PriceItem, store_prices_total
from chalicelib.catalog.products.collection import LINK_INDEXES, current_link_slots, link_slots
from chalicelib.catalog.products.models import ProductItem
from chalicelib.catalog.stock.models import StockItem, require_unheld
from chalicelib.core import keys
from chalicelib.core.batch import batch_get
from chalicelib.core.concurrency import lost_every_race
from chalicelib.core.errors import Conflict, NotFound, ValidationFailed
from chalicelib.core.keys import Key
from chalicelib.core.listing import apply_slots, move_totals
from chalicelib.core.table import Entity, now_iso, open_condition
from chalicelib.core.tx import Tx, TxCancelled
from chalicelib.identity.authn import Principal

_LINKS_PER_TX = 19  # each new link is ≤ 5 parts (membership and store checks, link, two totals) + the product ≤ 100
_STOCK_PER_TX = 95  # stock and override deletes + the link + the store totals (+ the caller's membership) ≤ 100
DETACH_BUDGET_SECONDS = 8.0  # one request's share of a big detach (the function's timeout is 10 s)


def attach_product_to_stores(product_id: str, store_ids: list[str], *, actor: Principal) -> AttachStoresOut:
    """Link a product to stores; stores it is already in are left as they are (idempotent).

    One BatchGetItem reads the product (its state decides which store lists the link joins), the links
    that may exist and, for non-admins, their memberships (the store scope: 403 outside it); one
    transaction per 19 new links checks each store is open (and the membership still there), creates the
    links and moves the stores' totals, on condition that the product did not change meanwhile.
    """
    wanted = list(dict.fromkeys(store_ids))
    found = batch_get([keys.product_key(product_id)] + [keys.product_store_key(product_id, sid) for sid in wanted]
                      + store_scope_keys(wanted, actor))
    product = found.get(keys.product_key(product_id))
    if not isinstance(product, ProductItem) or product.deleted_at:
        raise NotFound(msg.PRODUCT_NOT_FOUND)
    require_store_scope(wanted, actor, found)
    already = [sid for sid in wanted if keys.product_store_key(product_id, sid) in found]
    new = [sid for sid in wanted if sid not in already]
    if len(new) > _LINKS_PER_TX:
        # Several transactions: check every store first so a missing one fails the request before any write.
        stores = batch_get(keys.store_key(sid) for sid in new)
        missing = [sid for sid in new if not _open(stores.get(keys.store_key(sid)))]
        if missing:
            raise stores_missing(missing, store_ids)
    attached: list[str] = []
    for start in range(0, len(new), _LINKS_PER_TX):
        chunk = new[start:start + _LINKS_PER_TX]
        tx = Tx()
        tx.check(ProductItem, keys.product_key(product_id), ProductItem.version == product.version, label="product")
        for sid in chunk:
            check_store_scope(tx, sid, actor)
            add_link(tx, product_id, sid, active=bool(product.is_active))
        try:
            commit_in_store_scope(tx)
        except TxCancelled as exc:
            missing = missing_stores(exc.failed)
            if missing:
                raise stores_missing(missing, store_ids) from None
            if "product" in exc.failed or any(label.startswith("link:") for label in exc.failed):
                # The product changed or someone attached one of them meanwhile: start over on fresh reads.
                rest = attach_product_to_stores(product_id, [sid for sid in wanted if sid not in attached], actor=actor)
                return AttachStoresOut(product_id=product_id, attached=attached + rest.attached,
                                       already_attached=[sid for sid in wanted
                                                         if sid not in attached + rest.attached])
            raise
        attached += chunk
    return AttachStoresOut(product_id=product_id, attached=attached, already_attached=already)


def add_link(tx: Tx, product_id: str, store_id: str, *, active: bool) -> None:
    """Link a product to a store in `tx`: the store must be open (it exists and its delete has not begun,
    label `store:<id>`), the link is new (`link:<id>`), and the store's lists count the product.
    Every write that links a product to a store goes through here (create with store_ids, attach)."""
    tx.check(Entity, keys.store_key(store_id), open_condition(), label=f"store:{store_id}")
    link = product_store_item(product_id, store_id)
    slots = link_slots(product_id, store_id, active, False)
    apply_slots(link, slots, LINK_INDEXES)
    tx.create(link, label=f"link:{store_id}")
    move_totals(tx, [], slots)


def missing_stores(failed: list[str]) -> list[str]:
    """The stores whose `add_link` check failed in a cancelled transaction."""
    return [label.split(":", 1)[1] for label in failed if label.startswith("store:")]


def _open(item: Any) -> bool:
    return isinstance(item, Entity) and not item.deleting_at


def stores_missing(missing: list[str], store_ids: list[str]) -> ValidationFailed:
    """422 naming each store that is absent or being deleted by its place in the request (`store_ids.<i>`)."""
    errors = {f"store_ids.{store_ids.index(sid)}": [msg.STORE_MISSING.render(store_id=sid)] for sid in missing}
    return ValidationFailed(errors=errors)


def detach_product_from_store(product_id: str, store_id: str, *, actor: Principal) -> None:
    """Unlink a product from a store and delete its stock records there, in the same transaction; non-admins
    only in stores they belong to (the same store scope as stock)."""
    if not detach_link(product_id, store_id, actor=actor):
        raise NotFound(msg.LINK_NOT_FOUND)


def detach_link(product_id: str, store_id: str, *, actor: Principal | None = None, attempts: int = 5) -> bool:
    """Delete the link and every stock record and price override of the product in the store; False when
    there was no link.

    One consistent Query finds the link, the stock and the overrides (sk prefix `STO` covers STOCK#, where
    overrides are kept too, and STORE#); the transaction deletes them on condition that the link's `variant_ids` and
    `priced_variant_ids` did not change meanwhile, so a stock record or an override written concurrently
    cannot be left behind, and moves the store's override total with them. More records than one transaction
    holds go first, _STOCK_PER_TX at a time, each batch shrinking the link's sets with it (the link goes last,
    so an interrupted detach is finished by the next). A transaction beaten by a concurrent write reads again;
    `attempts` such races, or DETACH_BUDGET_SECONDS, end it with 503 (what is deleted stays deleted: sending
    it again goes on). With an `actor`, each transaction also checks the store scope (403 outside it; with no
    link, the membership is read so the answer does not say whether another store carries the product).
    `actor=None`: the store's own deletion.
    """
    started = time.monotonic()
    races = 0
    found = _detach_read(product_id, store_id, actor)
    while True:
        link, stock, price_keys = found
        if link is None:
            _delete_strays(sorted(set(stock) | price_keys))
            return False
        tx, final, done = _detach_tx(link, stock, price_keys, actor)
        try:
            commit_in_store_scope(tx)
        except TxCancelled as exc:
            if "link" not in exc.failed and not any(label.startswith("stock:") for label in exc.failed):
                raise
            races += 1  # linked, stocked or held since the read: read again (a new hold is then refused)
            if races >= attempts:
                raise lost_every_race("link.detach", races=races) from None
            found = _detach_read(product_id, store_id, actor)
            continue
        if final:
            return True
        if time.monotonic() - started > DETACH_BUDGET_SECONDS:
            raise lost_every_race("link.detach", batches="budget")
        found = _after_batch(link, stock, price_keys, done)


_Detach = tuple[ProductStoreItem | None, dict[Key, StockItem | None], set[Key]]


def _detach_read(product_id: str, store_id: str, actor: Principal | None) -> _Detach:
    """The link, the product's stock records (every one the Query or the link's `variant_ids` names) and price
    overrides in the store; refused while reservations hold units there (403 first outside the store)."""
    link: ProductStoreItem | None = None
    stock: dict[Key, StockItem | None] = {}
    price_keys: set[Key] = set()
    for item in Entity.query(keys.product_partition(product_id), Entity.sk.startswith("STO"),
                             filter_condition=StockItem.store_id == store_id, consistent_read=True):
        if isinstance(item, ProductStoreItem):
            link = item
        elif isinstance(item, StockItem):
            stock[(item.pk, item.sk)] = item
        elif isinstance(item, PriceItem):
            price_keys.add((item.pk, item.sk))
    if link is None:
        if actor is not None:
            require_store_scope([store_id], actor)
        return None, stock, price_keys
    if actor is not None:
        _refuse_held((entry for entry in stock.values() if entry is not None), store_id, actor)
    for vid in link.variant_ids or ():
        stock.setdefault(keys.stock_key(product_id, vid, store_id), None)
    return link, stock, price_keys


def _detach_tx(link: ProductStoreItem, stock: dict[Key, StockItem | None], price_keys: set[Key],
               actor: Principal | None) -> tuple[Tx, bool, list[Key]]:
    """The next transaction of a detach: the last one (everything left and the link) or a batch of records
    with the link's sets shrunk by them. Returns it, whether it is the last, and the records it deletes."""
    product_id, store_id = link.product_id, link.store_id
    variant_ids = set(link.variant_ids or ())
    priced_ids = set(link.priced_variant_ids or ())
    # The store's override total moves by the overrides that exist (the read's; the link's set may still name a
    # variant deleted since, whose override went with it).
    all_prices = _all_prices(link, price_keys)
    doomed = sorted(stock) + sorted(all_prices)
    link_key = keys.product_store_key(product_id, store_id)
    tx = Tx()
    if actor is not None:
        check_store_scope(tx, store_id, actor)
    final = len(doomed) <= _STOCK_PER_TX
    batch = doomed if final else doomed[:_STOCK_PER_TX]
    for key in batch:
        _delete(tx, key, stock.get(key))
    existing = price_keys & set(batch)
    if existing:
        tx.count(store_prices_total(store_id), -len(existing))
    # Unchanged since the read: the same stock records and overrides, and the same store lists (the catalog
    # moves a link's index keys when its product changes state) so the totals are right.
    unchanged = _same_set(ProductStoreItem.variant_ids, variant_ids) & _same_set(
        ProductStoreItem.priced_variant_ids, priced_ids)
    for attr, value in ((ProductStoreItem.gsi1pk, link.gsi1pk), (ProductStoreItem.gsi2pk, link.gsi2pk)):
        unchanged = unchanged & (attr == value if value else attr.does_not_exist())
    if final:
        tx.delete(ProductStoreItem, link_key, condition=ProductStoreItem.pk.exists() & unchanged, label="link")
        move_totals(tx, current_link_slots(link), [])  # the store lists the link was in (none if trashed)
        return tx, True, batch
    gone_stock, gone_prices = _shrunk(link, stock, all_prices, batch)
    actions = ([ProductStoreItem.variant_ids.delete(gone_stock)] if gone_stock else []) + (
        [ProductStoreItem.priced_variant_ids.delete(gone_prices)] if gone_prices else [])
    if actions:
        tx.update(ProductStoreItem, link_key, actions, condition=ProductStoreItem.pk.exists() & unchanged,
                  label="link")
    else:  # a batch of records the link's sets do not name
        tx.check(ProductStoreItem, link_key, ProductStoreItem.pk.exists() & unchanged, label="link")
    return tx, False, batch


def _variant_of(key: Key) -> str:
    """The variant id in a stock record's or an override's sort key (`STOCK#<vid>#<sid>…`)."""
    return key[1].split("#")[1]


def _all_prices(link: ProductStoreItem, price_keys: set[Key]) -> set[Key]:
    """The overrides to delete: those the read found and those the link's `priced_variant_ids` names."""
    return price_keys | {keys.price_key(link.product_id, vid, link.store_id) for vid in link.priced_variant_ids or ()}


def _shrunk(link: ProductStoreItem, stock: dict[Key, StockItem | None], all_prices: set[Key],
            batch: list[Key]) -> tuple[set[str], set[str]]:
    """The ids a batch takes out of the link's `variant_ids` (its stock records) and `priced_variant_ids`
    (its overrides)."""
    gone_stock = {_variant_of(key) for key in batch if key in stock} & set(link.variant_ids or ())
    gone_prices = {_variant_of(key) for key in batch if key in all_prices} & set(link.priced_variant_ids or ())
    return gone_stock, gone_prices


def _after_batch(link: ProductStoreItem, stock: dict[Key, StockItem | None], price_keys: set[Key],
                 done: list[Key]) -> _Detach:
    """The state a committed batch left, without reading it again: its records gone, the link's sets shrunk
    as the batch's update shrank them (`_shrunk`)."""
    gone_stock, gone_prices = _shrunk(link, stock, _all_prices(link, price_keys), done)
    link.variant_ids = (set(link.variant_ids or ()) - gone_stock) or None
    link.priced_variant_ids = (set(link.priced_variant_ids or ()) - gone_prices) or None
    gone = set(done)
    return link, {key: entry for key, entry in stock.items() if key not in gone}, price_keys - gone


def _delete_strays(doomed: list[Key]) -> None:
    """Records of a link already gone (an interrupted cleanup): deleted as they are."""
    for chunk in _chunks(doomed, _STOCK_PER_TX):
        tx = Tx()
        for key in chunk:
            tx.delete(Entity, key)
        tx.commit()


def _refuse_held(entries: Iterable[StockItem], store_id: str, actor: Principal) -> None:
    """409 while reservations hold units of the product in the store; a caller outside the store gets its 403
    first (the 409 would tell it what another store holds)."""
    try:
        require_unheld(entries, now_iso())
    except Conflict:
        require_store_scope([store_id], actor)
        raise


def _delete(tx: Tx, key: Key, entry: StockItem | None) -> None:
    """A stock record goes on the version the Query read (a hold or a movement since → read again)."""
    if entry is None:
        tx.delete(Entity, key)
    else:
        tx.delete(Entity, key, condition=StockItem.version == entry.version, label=f"stock:{key[1]}")


def _same_set(attr: Any, values: set[str]) -> Any:
    """Condition: a set attribute holds exactly `values` (absent when empty: DynamoDB stores no empty set)."""
    return attr == values if values else attr.does_not_exist()


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]
