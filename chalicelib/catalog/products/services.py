"""Product writes: create (unique slug, category and stores checked), update, soft delete, restore."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ulid import ULID

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links.models import ProductStoreItem
from chalicelib.catalog.links.policies import require_store_scope
from chalicelib.catalog.links.services import add_link, missing_stores
from chalicelib.catalog.products.collection import (
    LINK_INDEXES,
    LISTING_INDEXES,
    PRODUCT_INDEXES,
    SLUG_KIND,
    Collection,
    current_link_slots,
    item_listing_slots,
    item_slots,
    link_slots,
    listing_slots,
    product_slots,
    require_live,
    require_visible,
)
from chalicelib.catalog.products.models import ProductItem, ProductListingItem
from chalicelib.catalog.products.schemas import ProductCreate
from chalicelib.categories.models import CategoryItem
from chalicelib.core import keys
from chalicelib.core.concurrency import commit_versioned
from chalicelib.core.errors import Conflict, ValidationFailed, field_error
from chalicelib.core.listing import Slot, apply_slots, move_totals, slot_actions
from chalicelib.core.slugs import base_slug, commit_with_unique_slug
from chalicelib.core.table import now_iso
from chalicelib.core.tx import MAX_ITEMS, Tx, TxCancelled
from chalicelib.identity.authn import Principal

FIELDS = ("name", "description", "product_category_id", "is_active", "is_featured")


def _category_counts(tx: Tx, category_id: str, delta: int) -> None:
    """Products count on the category (its delete is refused while > 0); joining needs it to exist."""
    condition = CategoryItem.pk.exists() if delta > 0 else None
    tx.update(CategoryItem, keys.category_key(category_id), [CategoryItem.products_count.add(delta)],
              condition=condition, label="category" if delta > 0 else "old-category")


def create_product(data: ProductCreate, *, actor: Principal, memberships: Mapping[Any, Any] | None = None) -> ProductItem:
    """Create a product with a unique slug in an existing category, linked to existing stores (non-admins:
    stores they belong to, the store scope of product links; their memberships are read first, as the
    transaction has no room for 20 more checks; `memberships`: already read by the caller)."""
    require_store_scope(data.store_ids, actor, memberships)
    actor_id = actor.user_id
    product_id = str(ULID())
    now = now_iso()
    product = ProductItem(*keys.product_key(product_id), id=product_id, name=data.name, slug="",
                          description=data.description, product_category_id=data.product_category_id,
                          is_active=data.is_active, is_featured=data.is_featured, created_by=actor_id,
                          options_count=0, variants_count=0, option_names={}, created_at=now,
                          updated_at=now)
    listed = item_slots(product)
    apply_slots(product, listed, PRODUCT_INDEXES)
    listing = ProductListingItem(*keys.product_listing_key(product_id), product_id=product_id, created_at=now,
                                 updated_at=now)
    featured_lists = item_listing_slots(product)
    apply_slots(listing, featured_lists, LISTING_INDEXES)

    def build(slug: str) -> Tx:
        product.slug = slug
        tx = Tx()
        tx.create(product, label="product")
        tx.create(listing, label="listing")
        move_totals(tx, [], featured_lists)
        _category_counts(tx, data.product_category_id, 1)
        move_totals(tx, [], listed)
        for store_id in data.store_ids:
            add_link(tx, product_id, store_id, active=data.is_active)
        return tx

    try:
        commit_with_unique_slug(SLUG_KIND, base_slug(data.name, "produit"), product_id, build)
    except TxCancelled as exc:
        errors: dict[str, list[str]] = {}
        if "category" in exc.failed:
            errors["product_category_id"] = [msg.CATEGORY_MISSING.render()]
        missing = missing_stores(exc.failed)
        if missing:  # one list under `store_ids` (POST /products' contract; attach names each index)
            errors["store_ids"] = [msg.STORE_MISSING.render(store_id=s) for s in missing]
        if errors:
            raise ValidationFailed(errors=errors) from None
        raise
    return product


LinkMove = tuple[ProductStoreItem, list[Slot], list[Slot]]


def _link_moves(found: Collection, active: bool, deleted: bool) -> list[LinkMove]:
    """Store links mirror the product's state in the stores' lists (and their totals): the links to move."""
    product = found.product
    assert product is not None
    moves = []
    for link in found.links:
        before, after = current_link_slots(link), link_slots(product.id, link.store_id, active, deleted)
        if before != after:
            moves.append((link, before, after))
    return moves


def _move_links(tx: Tx, moves: list[LinkMove]) -> list[LinkMove]:
    """Add as many link moves as the transaction holds; the rest is returned for follow-up transactions."""
    for i, (link, before, after) in enumerate(moves):
        cost = 1 + len({s.total for s in before} ^ {s.total for s in after})
        if len(tx) + cost > MAX_ITEMS:
            return moves[i:]
        tx.update(ProductStoreItem, (link.pk, link.sk), slot_actions(ProductStoreItem, after, LINK_INDEXES),
                  condition=ProductStoreItem.pk.exists(), label=f"link:{link.store_id}")
        move_totals(tx, before, after)
    return []


def _finish_links(product_id: str, version: int, rest: list[LinkMove]) -> None:
    """Links past one transaction's size move in further ones, each on condition that the product is still
    at the version this write gave it (a newer write moves the links itself, from where they are)."""
    while rest:
        tx = Tx()
        tx.check(ProductItem, keys.product_key(product_id), ProductItem.version == version, label="version")
        rest = _move_links(tx, rest)
        try:
            tx.commit()
        except TxCancelled:
            return


def _write(found: Collection, changes: dict[str, Any], *, deleted_at: str | None) -> ProductItem:
    """One transaction: the product (version-checked), its list partitions (its own and its listing item's),
    the category counts and its store links (which list it in the stores)."""
    product = found.product
    assert product is not None
    new = {field: changes.get(field, getattr(product, field)) for field in FIELDS}
    before = item_slots(product)
    after = product_slots(product.id, new["product_category_id"], bool(new["is_active"]), bool(new["is_featured"]),
                          bool(deleted_at))
    now = now_iso()
    actions = [getattr(ProductItem, f).set(new[f]) for f in FIELDS if new[f] is not None]
    if new["description"] is None:
        actions.append(ProductItem.description.remove())
    actions.append(ProductItem.deleted_at.set(deleted_at) if deleted_at else ProductItem.deleted_at.remove())
    actions += [ProductItem.updated_at.set(now), ProductItem.version.add(1)]
    actions += slot_actions(ProductItem, after, PRODUCT_INDEXES)
    tx = Tx()
    tx.update(ProductItem, keys.product_key(product.id), actions, condition=ProductItem.version == product.version,
              label="version")
    if new["product_category_id"] != product.product_category_id:
        _category_counts(tx, product.product_category_id, -1)
        _category_counts(tx, new["product_category_id"], 1)
    move_totals(tx, before, after)
    listed_before = item_listing_slots(product)
    listed_after = listing_slots(product.id, new["product_category_id"], bool(new["is_active"]),
                                 bool(new["is_featured"]), bool(deleted_at))
    if listed_after != listed_before:
        tx.update(ProductListingItem, keys.product_listing_key(product.id),
                  [ProductListingItem.product_id.set(product.id),
                   *slot_actions(ProductListingItem, listed_after, LISTING_INDEXES)], label="listing")
        move_totals(tx, listed_before, listed_after)
    rest = _move_links(tx, _link_moves(found, bool(new["is_active"]), bool(deleted_at)))
    commit_versioned(tx, lambda failed: field_error("product_category_id", msg.CATEGORY_MISSING)
                     if "category" in failed else None, stale=("version", "link:"))
    for field in FIELDS:
        setattr(product, field, new[field])
    product.deleted_at, product.updated_at, product.version = deleted_at, now, product.version + 1
    _finish_links(product.id, product.version, rest)
    for index in PRODUCT_INDEXES:
        slot = next((s for s in after if s.index == index), None)
        setattr(product, f"{index}pk", slot.partition if slot else None)
        setattr(product, f"{index}sk", slot.sort if slot else None)
    return product


def update_product(found: Collection, changes: dict[str, Any]) -> ProductItem:
    """Apply `changes` (PUT: every field; PATCH: the given ones) to a live product."""
    require_live(found.product)
    return _write(found, changes, deleted_at=None)


def delete_product(found: Collection) -> ProductItem:
    """Soft delete: out of every list (stores' included), hidden from customers; the slug stays taken."""
    require_live(found.product)
    return _write(found, {}, deleted_at=now_iso())


def restore_product(found: Collection) -> ProductItem:
    """Bring a soft-deleted product back into its lists."""
    if not require_visible(found.product, True).deleted_at:
        raise Conflict(msg.PRODUCT_NOT_DELETED)
    return _write(found, {}, deleted_at=None)
