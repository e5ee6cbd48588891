"""Product reads: one product (one Query + one BatchGetItem), by slug, and the filtered lists."""
from __future__ import annotations

import math
from typing import Any

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links.models import product_store_item, store_products_partition, store_products_total
from chalicelib.catalog.links.policies import store_scope_keys, store_shown
from chalicelib.catalog.products.collection import SLUG_KIND, Collection, load_collection, require_visible
from chalicelib.catalog.products.models import ProductItem
from chalicelib.catalog.products.render import Raw, parse_includes, related_keys, render_product, store_context
from chalicelib.catalog.products.schemas import INCLUDES, LIST_INCLUDES, ProductListQuery
from chalicelib.core import keys
from chalicelib.core.batch import MAX_KEYS, batch_read, counter_value, typed
from chalicelib.core.errors import NotFound, field_error
from chalicelib.core.listing import query_partition
from chalicelib.core.pagination import Page, decode_cursor, paginate, single_page
from chalicelib.core.slugs import slug_owner
from chalicelib.core.tx import read_total

MAX_PER_PAGE_WITH_INCLUDES = 30  # 30 × (category, creator, cover) + the total: one BatchGetItem


def read_product(product_id: str, *, includes: set[str], sees_inactive: bool, sees_inactive_stores: bool,
                 consistent: bool = False, store_id: str | None = None) -> tuple[dict[str, Any], Collection]:
    """A product as GET renders it: one Query of its collection (price overrides included), then one
    BatchGetItem for related records (and the store of a store-context read)."""
    found = load_collection(product_id, consistent=consistent)
    return render_loaded(found, includes=includes, sees_inactive=sees_inactive,
                         sees_inactive_stores=sees_inactive_stores, consistent=consistent, store_id=store_id), found


def render_loaded(found: Collection, *, includes: set[str], sees_inactive: bool, sees_inactive_stores: bool,
                  consistent: bool = False, store_id: str | None = None) -> dict[str, Any]:
    """Render an already loaded collection: the one BatchGetItem of related records."""
    product = require_visible(found.product, sees_inactive)
    wanted = related_keys([product], includes, found, sees_inactive_stores=sees_inactive_stores, store_id=store_id)
    raw = batch_read(wanted, consistent=consistent)
    context = store_context(store_id, raw, attached=any(link.store_id == store_id for link in found.links),
                            sees_inactive_stores=sees_inactive_stores)
    return render_product(product, includes, raw, found, sees_inactive=sees_inactive,
                          sees_inactive_stores=sees_inactive_stores, context=context)


def load_for_write(product_id: str, *, related: bool, also: list[tuple[str, str]] | None = None,
                   sees_inactive_stores: bool) -> tuple[Collection, Raw]:
    """What a product write needs and its answer renders (the read's representation, every include): the
    collection (one consistent Query) and, when `related`, its related records plus `also` (one BatchGetItem)."""
    found = load_collection(product_id, consistent=True)
    if found.product is None:
        raise NotFound(msg.PRODUCT_NOT_FOUND)
    if not related:
        return found, {}
    extra = also or []
    wanted = related_keys([found.product], set(INCLUDES), found, budget=MAX_KEYS - len(extra),
                          sees_inactive_stores=sees_inactive_stores)
    return found, batch_read(list(dict.fromkeys(extra + wanted)), consistent=True)


def read_for_create(category_id: str, store_ids: list[str], actor: Any, *,
                    sees_inactive_stores: bool) -> tuple[Raw, dict[tuple[str, str], Any]]:
    """One BatchGetItem before a create: the related records its answer renders (category, creator, stores)
    and the memberships its store scope needs (typed, for require_store_scope)."""
    draft = ProductItem(product_category_id=category_id, created_by=actor.user_id)
    found = Collection(product=draft, links=[product_store_item("-", s) for s in sorted(store_ids)])
    scope = store_scope_keys(store_ids, actor)
    wanted = scope + related_keys([draft], set(INCLUDES), found, sees_inactive_stores=sees_inactive_stores)
    raw = batch_read(list(dict.fromkeys(wanted)), consistent=True)
    return raw, {key: typed(raw.get(key)) for key in scope}


def render_created(product: ProductItem, store_ids: list[str], raw: Raw, *, sees_inactive: bool,
                   sees_inactive_stores: bool) -> dict[str, Any]:
    """A product just created, as its read renders it: its collection is known (the product and its store
    links, nothing else yet) and its related records were read before the write (read_for_create)."""
    found = Collection(product=product, links=[product_store_item(product.id, s) for s in sorted(store_ids)])
    return render_product(product, set(INCLUDES), raw, found, sees_inactive=sees_inactive,
                          sees_inactive_stores=sees_inactive_stores)


def product_id_by_slug(slug: str) -> str:
    """The slug reservation holds the product id (one GetItem)."""
    owner = slug_owner(SLUG_KIND, slug)
    if not owner:
        raise NotFound(msg.PRODUCT_NOT_FOUND)
    return owner


def read_product_by_slug(slug: str, *, includes: set[str], sees_inactive: bool,
                         sees_inactive_stores: bool, store_id: str | None = None) -> dict[str, Any]:
    """A product by its slug: a soft-deleted one is gone by slug for everyone (its slug stays reserved, and
    only its id reaches it, for a restore), while GET /products/{id} shows it to those who see the trash."""
    found = load_collection(product_id_by_slug(slug))
    if found.product is None or found.product.deleted_at:
        raise NotFound(msg.PRODUCT_NOT_FOUND)
    return render_loaded(found, includes=includes, sees_inactive=sees_inactive,
                         sees_inactive_stores=sees_inactive_stores, store_id=store_id)


def _source(query: ProductListQuery, sees_inactive: bool) -> tuple[str, str, bool] | None:
    """(index, partition, rows only name products) for the filters; None: nothing to show.

    The partition's name is also its total's (the store's whole list: `store_products_total`). Rows that
    only name products (store links, listing items) are followed by one BatchGetItem of the products.
    """
    active = query.is_active
    if not sees_inactive:
        if active is False:
            return None  # customers never see inactive products
        active = True
    category, store, featured = query.product_category_id, query.store_id, query.is_featured
    if store and (category or featured is not None):
        raise field_error("store_id", msg.UNSUPPORTED_FILTERS,
                          detail="store_id + product_category_id/is_featured")
    if store:  # the links' partitions, which product writes keep in step with the product's state
        if active is None:
            return "gsi1", store_products_partition(store), True
        return "gsi2", keys.store_products_state_partition(store, active), True
    if featured is not None:  # listing items, except featured + active which the product item carries
        if category:
            if active is None:
                return "gsi2", keys.products_partition(category_id=category, featured=featured), True
            return "gsi3", keys.products_partition(category_id=category, featured=featured, active=active), True
        if active is None:
            return "gsi1", keys.products_partition(featured=featured), True
        return "gsi5", keys.products_partition(featured=featured, active=active), False
    if category:
        if active is None:
            return "gsi3", keys.products_partition(category_id=category), False
        return "gsi4", keys.products_partition(category_id=category, active=active), False
    if active is None:
        return "gsi1", keys.products_partition(), False
    return "gsi2", keys.products_partition(active=active), False


def list_products(query: ProductListQuery, *, sees_inactive: bool, sees_inactive_stores: bool) -> Page[Any]:
    """Newest first; each filter (and filter + active-only for customers) is one Query of one partition.

    Calls per page: one Query, plus one BatchGetItem that brings the total (first page) and the includes
    together (or a GetItem for the total alone). `store_id` lists read links and some featured lists read
    listing items, so the products come in that BatchGetItem; with includes as well they need a second
    one. Links and listing items are in a partition only while their product belongs to that list, so
    pages are full and totals exact. With `store_id`, that BatchGetItem also brings the store: one the
    reader may not see (inactive for customers, being deleted) answers as an unknown store does.
    """
    includes = parse_includes(query.include, default=(), allowed=LIST_INCLUDES)
    if includes and query.per_page > MAX_PER_PAGE_WITH_INCLUDES:
        raise field_error("per_page", msg.LIST_INCLUDE_PAGE, max=MAX_PER_PAGE_WITH_INCLUDES)
    source = _source(query, sees_inactive)
    if source is None:
        return single_page([], query.per_page)
    index, partition, via_links = source
    total_name = store_products_total(query.store_id) if index == "gsi1" and query.store_id else partition
    scope = f"products:{index}:{partition}"
    first_page = not query.cursor
    if query.cursor:
        decode_cursor(query.cursor, scope)  # a tampered cursor is refused before any read
    stash: dict[str, Any] = {"raw": {}}
    rows_of = query_partition(index, partition)

    def run(limit: int, start_key: dict[str, Any] | None) -> list[Any]:
        rows = rows_of(limit, start_key)
        shown = rows[: query.per_page]
        want = [keys.counter_key(total_name)] if first_page and (via_links or includes) else []
        if query.store_id:  # the store rides along: one the reader may not see answers as an unknown store
            want.append(keys.store_key(query.store_id))
        if via_links:
            want += [keys.product_key(row.product_id) for row in shown]
        else:
            want += related_keys(list(shown), includes, cover_only=True, budget=MAX_KEYS - len(want))
        raw = batch_read(want) if want else {}
        if query.store_id and not store_shown(raw.get(keys.store_key(query.store_id)),
                                                  sees_inactive=sees_inactive_stores):
            stash["hidden"] = True
        if first_page and want:
            stash["total"] = counter_value(raw.get(keys.counter_key(total_name)))
        if via_links:
            products = [typed(raw.get(keys.product_key(row.product_id))) for row in shown]
            stash["products"] = [p for p in products if isinstance(p, ProductItem)]
            if includes:
                raw.update(batch_read(related_keys(stash["products"], includes, cover_only=True)))
        else:
            stash["products"] = list(shown)
        stash["raw"] = raw
        return rows

    def total() -> int:
        return stash["total"] if "total" in stash else read_total(total_name)

    page = paginate(run, params=query, scope=scope, total=total, index=index)
    if stash.get("hidden"):
        return single_page([], query.per_page)
    items = [render_product(product, includes, stash["raw"], sees_inactive=sees_inactive, cover_only=True)
             for product in stash.get("products", [])]
    meta = dict(page.meta)
    meta["last_page"] = max(1, math.ceil(meta["total"] / query.per_page))
    return Page(items, meta)


