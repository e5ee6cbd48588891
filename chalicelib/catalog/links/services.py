"""Product ↔ store links: attach a product to stores, detach it (with its stock). A store's product list is
listing.py."""
from __future__ import annotations

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
    cannot be left behind (the attempt is retried instead), and moves the store's override total with them.
    With an `actor`, each transaction also checks the store scope (403 outside it; with no link, the
    membership is read so the answer does not say whether another store carries the product).
    `actor=None`: the store's own deletion.
    """
    pk = keys.product_partition(product_id)
    for _ in range(attempts):
        link: ProductStoreItem | None = None
        stock: dict[Key, StockItem] = {}
        price_keys: set[tuple[str, str]] = set()
        for item in Entity.query(pk, Entity.sk.startswith("STO"), filter_condition=StockItem.store_id == store_id,
                                 consistent_read=True):
            if isinstance(item, ProductStoreItem):
                link = item
            elif isinstance(item, StockItem):
                stock[(item.pk, item.sk)] = item
            elif isinstance(item, PriceItem):
                price_keys.add((item.pk, item.sk))
        stock_keys = set(stock)
        if actor is not None and link is not None:
            _refuse_held(stock.values(), store_id, actor)
        if link is None:
            if actor is not None:
                require_store_scope([store_id], actor)
            for chunk in _chunks(sorted(stock_keys | price_keys), _STOCK_PER_TX):  # strays of a link already gone
                tx = Tx()
                for key in chunk:
                    tx.delete(Entity, key)
                tx.commit()
            return False
        variant_ids = set(link.variant_ids or ())
        priced_ids = set(link.priced_variant_ids or ())
        stock_keys |= {keys.stock_key(product_id, vid, store_id) for vid in variant_ids}
        # The store's override total moves by the overrides that exist (the consistent Query's; the link's set
        # may still name a variant deleted since, whose override went with it).
        existing_prices = set(price_keys)
        price_keys |= {keys.price_key(product_id, vid, store_id) for vid in priced_ids}
        link_key = keys.product_store_key(product_id, store_id)
        tx = Tx()
        if actor is not None:
            check_store_scope(tx, store_id, actor)
        doomed = sorted(stock_keys) + sorted(price_keys)
        if len(doomed) > _STOCK_PER_TX:
            # Too many for one transaction: delete a batch and shrink the link's sets with it, then go again.
            batch = doomed[:_STOCK_PER_TX]
            gone_stock = {key[1].split("#")[1] for key in batch if key in stock_keys} & variant_ids
            gone_prices = {key[1].split("#")[1] for key in batch if key in price_keys}
            for key in batch:
                _delete(tx, key, stock.get(key))
            actions = ([ProductStoreItem.variant_ids.delete(gone_stock)] if gone_stock else []) + (
                [ProductStoreItem.priced_variant_ids.delete(gone_prices & priced_ids)] if gone_prices & priced_ids else [])
            if actions:
                tx.update(ProductStoreItem, link_key, actions, condition=ProductStoreItem.pk.exists(), label="link")
            if existing_prices & set(batch):
                tx.count(store_prices_total(store_id), -len(existing_prices & set(batch)))
        else:
            for key in doomed:
                _delete(tx, key, stock.get(key))
            # Unchanged since the Query: the same stock records and overrides, and the same store lists (the
            # catalog moves a link's index keys when its product changes state) so the totals below are right.
            unchanged = _same_set(ProductStoreItem.variant_ids, variant_ids) & _same_set(
                ProductStoreItem.priced_variant_ids, priced_ids)
            for attr, value in ((ProductStoreItem.gsi1pk, link.gsi1pk), (ProductStoreItem.gsi2pk, link.gsi2pk)):
                unchanged = unchanged & (attr == value if value else attr.does_not_exist())
            tx.delete(ProductStoreItem, link_key, condition=ProductStoreItem.pk.exists() & unchanged, label="link")
            move_totals(tx, current_link_slots(link), [])  # the store lists the link was in (none if trashed)
            if existing_prices:
                tx.count(store_prices_total(store_id), -len(existing_prices))
        try:
            commit_in_store_scope(tx)
        except TxCancelled as exc:
            if "link" in exc.failed or any(label.startswith("stock:") for label in exc.failed):
                continue  # linked, stocked or held since the Query: read again (a new hold is then refused)
            raise
        if len(doomed) <= _STOCK_PER_TX:
            return True
    raise lost_every_race("link.detach")


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
