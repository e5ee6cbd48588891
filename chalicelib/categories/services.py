"""Category use cases: one function each; every multi-item write is one transaction."""
from __future__ import annotations

from typing import Any

from ulid import ULID

from chalicelib.categories import messages as msg
from chalicelib.categories.models import CategoryItem
from chalicelib.categories.schemas import CategoryCreate, CategoryListQuery
from chalicelib.core import keys
from chalicelib.core.batch import batch_get
from chalicelib.core.concurrency import commit_versioned
from chalicelib.core.errors import Conflict, NotFound, field_error
from chalicelib.core.listing import Slot, apply_slots, move_totals, position_sort, query_partition, slot_actions
from chalicelib.core.pagination import Page, paginate
from chalicelib.core.slugs import base_slug, commit_with_unique_slug
from chalicelib.core.table import now_iso
from chalicelib.core.tx import Tx, TxCancelled

MAX_DEPTH = 5
SLUG_KIND = "category-slug"
INDEXES = ("gsi1", "gsi2", "gsi3", "gsi4")
FIELDS = ("name", "description", "parent_id", "position", "is_active")


def children_total(parent_id: str | None, active_only: bool = False) -> str:
    return f"categories:P:{parent_id or 'root'}" + (":A:1" if active_only else "")


def all_total(active_only: bool = False) -> str:
    return "categories:A:1" if active_only else "categories:all"


def slots(category_id: str, parent_id: str | None, position: int, is_active: bool) -> list[Slot]:
    """The lists a category belongs to: its parent's children and all categories, plus their active views."""
    sort = position_sort(position, category_id)
    listed = [Slot("gsi1", keys.category_children_partition(parent_id), sort, children_total(parent_id)),
              Slot("gsi2", keys.categories_partition(), sort, all_total())]
    if is_active:
        listed += [Slot("gsi3", keys.category_children_partition(parent_id, True), sort, children_total(parent_id, True)),
                   Slot("gsi4", keys.categories_partition(True), sort, all_total(True))]
    return listed


def item_slots(item: CategoryItem) -> list[Slot]:
    return slots(item.id, item.parent_id, int(item.position), bool(item.is_active))


def _visible(item: CategoryItem | None, sees_inactive: bool) -> bool:
    return item is not None and (sees_inactive or bool(item.is_active))


def get_category(category_id: str, *, sees_inactive: bool = True, consistent: bool = False) -> CategoryItem:
    """One category (customers never see an inactive one): one GetItem."""
    try:
        item = CategoryItem.get(*keys.category_key(category_id), consistent_read=consistent)
    except CategoryItem.DoesNotExist:
        raise NotFound(msg.CATEGORY_NOT_FOUND) from None
    if not _visible(item, sees_inactive):
        raise NotFound(msg.CATEGORY_NOT_FOUND)
    return item


def _find(category_id: str) -> CategoryItem | None:
    try:
        return CategoryItem.get(*keys.category_key(category_id), consistent_read=True)
    except CategoryItem.DoesNotExist:
        return None


def list_categories(query: CategoryListQuery, *, sees_inactive: bool) -> Page[Any]:
    """Categories by position: all of them, or the children of `parent_id` (`root`: the top level)."""
    active_only = not sees_inactive
    if query.parent_id is None:
        index, partition, total = ("gsi4" if active_only else "gsi2"), keys.categories_partition(active_only), all_total(active_only)
    else:
        parent = None if query.parent_id == "root" else query.parent_id
        index = "gsi3" if active_only else "gsi1"
        partition, total = keys.category_children_partition(parent, active_only), children_total(parent, active_only)
    return paginate(query_partition(index, partition, newest_first=False), params=query,
                    scope=f"categories:{partition}", total=total, index=index)


def _parent_placement(parent: CategoryItem | None, parent_id: str | None) -> tuple[int, list[str]]:
    """Depth and ancestor path under `parent` (422 when missing or too deep)."""
    if parent_id is None:
        return 1, []
    if parent is None:
        raise field_error("parent_id", msg.PARENT_MISSING)
    depth = int(parent.depth) + 1
    if depth > MAX_DEPTH:
        raise field_error("parent_id", msg.TOO_DEEP, max=MAX_DEPTH)
    return depth, list(parent.path or []) + [parent.id]


def _join_parent(tx: Tx, parent: CategoryItem) -> None:
    """The parent gains a child, on condition it still exists at the depth we read (no race with a move)."""
    tx.update(CategoryItem, keys.category_key(parent.id), [CategoryItem.children_count.add(1)],
              condition=CategoryItem.pk.exists() & (CategoryItem.depth == parent.depth), label="parent")


def create_category(data: CategoryCreate) -> CategoryItem:
    """Create a category with a unique slug under an existing parent (depth ≤ 5)."""
    parent = _find(data.parent_id) if data.parent_id else None
    depth, path = _parent_placement(parent, data.parent_id)
    category_id = str(ULID())
    now = now_iso()
    item = CategoryItem(*keys.category_key(category_id), id=category_id, name=data.name, slug="",
                        description=data.description, parent_id=data.parent_id, depth=depth, position=data.position,
                        is_active=data.is_active, path=path or None, children_count=0, products_count=0,
                        created_at=now, updated_at=now)
    listed = item_slots(item)
    apply_slots(item, listed, INDEXES)

    def build(slug: str) -> Tx:
        item.slug = slug
        tx = Tx()
        tx.create(item, label="category")
        if parent is not None:
            _join_parent(tx, parent)
        move_totals(tx, [], listed)
        return tx

    try:
        commit_with_unique_slug(SLUG_KIND, base_slug(data.name, "categorie"), category_id, build)
    except TxCancelled as exc:
        if "parent" in exc.failed:
            raise field_error("parent_id", msg.PARENT_MISSING) from None
        raise
    return item


def load_for_update(category_id: str, new_parent_id: str | None) -> tuple[CategoryItem, CategoryItem | None]:
    """The category and, when it may move, its new parent, in one BatchGetItem (or one GetItem)."""
    if not new_parent_id or new_parent_id == category_id:
        return get_category(category_id, consistent=True), None
    found = batch_get([keys.category_key(category_id), keys.category_key(new_parent_id)])
    current = found.get(keys.category_key(category_id))
    if not isinstance(current, CategoryItem):
        raise NotFound(msg.CATEGORY_NOT_FOUND)
    parent = found.get(keys.category_key(new_parent_id))
    return current, parent if isinstance(parent, CategoryItem) else None


def update_category(current: CategoryItem, changes: dict[str, Any], new_parent: CategoryItem | None) -> CategoryItem:
    """Apply `changes` (PUT: every field; PATCH: the given ones) on condition nobody changed it since the read."""
    new = {field: changes.get(field, getattr(current, field)) for field in FIELDS}
    moving = new["parent_id"] != current.parent_id
    depth, path = int(current.depth), list(current.path or [])
    if moving:
        if new["parent_id"] == current.id or (new_parent is not None and current.id in (new_parent.path or [])):
            raise field_error("parent_id", msg.PARENT_CYCLE)
        depth, path = _parent_placement(new_parent, new["parent_id"])
        if int(current.children_count or 0) > 0:
            raise Conflict(msg.MOVE_WITH_CHILDREN)
    now = now_iso()
    before, after = item_slots(current), slots(current.id, new["parent_id"], int(new["position"]), bool(new["is_active"]))
    actions = [getattr(CategoryItem, f).set(new[f]) for f in FIELDS if new[f] is not None]
    actions += [getattr(CategoryItem, f).remove() for f in ("description", "parent_id") if new[f] is None]
    actions += [CategoryItem.depth.set(depth), CategoryItem.updated_at.set(now), CategoryItem.version.add(1)]
    actions.append(CategoryItem.path.set(path) if path else CategoryItem.path.remove())
    actions += slot_actions(CategoryItem, after, INDEXES)
    condition = CategoryItem.version == current.version
    tx = Tx()
    if moving:
        condition &= CategoryItem.children_count == 0
        if current.parent_id:
            tx.update(CategoryItem, keys.category_key(current.parent_id), [CategoryItem.children_count.add(-1)],
                      label="old-parent")
        if new_parent is not None:
            _join_parent(tx, new_parent)
    tx.update(CategoryItem, keys.category_key(current.id), actions, condition=condition, label="version")
    move_totals(tx, before, after)
    commit_versioned(tx, lambda failed: field_error("parent_id", msg.PARENT_MISSING) if "parent" in failed else None)
    for field in FIELDS:
        setattr(current, field, new[field])
    current.depth, current.path, current.updated_at, current.version = depth, path or None, now, current.version + 1
    return current


def delete_category(current: CategoryItem) -> None:
    """Delete a category without children or products; its slug is freed."""
    if int(current.children_count or 0) > 0:
        raise Conflict(msg.HAS_CHILDREN)
    if int(current.products_count or 0) > 0:
        raise Conflict(msg.HAS_PRODUCTS)
    tx = Tx()
    tx.delete(CategoryItem, keys.category_key(current.id), label="version",
              condition=(CategoryItem.version == current.version) & (CategoryItem.children_count == 0)
              & (CategoryItem.products_count == 0))
    tx.release(SLUG_KIND, current.slug)
    if current.parent_id:
        tx.update(CategoryItem, keys.category_key(current.parent_id), [CategoryItem.children_count.add(-1)],
                  label="parent")
    move_totals(tx, item_slots(current), [])
    commit_versioned(tx)
