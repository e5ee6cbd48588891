"""A store's product list (`GET /stores/{id}/products`), with `include=variants` priced in the store.

Calls, whatever the size of the catalog: the links' Query, one BatchGetItem (store, total, the page's
products), and with `include=variants` one more BatchGetItem of the shown products' variants, each with its
stock record and its price override in this store (3 keys a variant, found from the product's `variant_ids`).
BatchGetItem takes 100 keys: the page is cut after the last product whose keys still fit, and the next cursor
starts at the first product left out. A first product that alone needs more than 100 keys is shown alone, read
by one Query of its collection. A product whose `variant_ids` is out of step with `variants_count` (written
before the set existed) stays in the page but is read by one Query of its collection too: the only reads that
grow with the page (catalog/products/collection.py `known_variant_ids`).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links.models import ProductStoreItem, store_products_partition, store_products_total
from chalicelib.catalog.links.schemas import MAX_PER_PAGE_WITH_VARIANTS, STORE_PRODUCT_INCLUDES, StoreProductsQuery
from chalicelib.catalog.prices.models import PriceItem
from chalicelib.catalog.prices.policies import StoreContext, store_currency
from chalicelib.catalog.products.collection import Collection, known_variant_ids, load_collection
from chalicelib.catalog.products.models import ProductItem, VariantItem
from chalicelib.catalog.products.render import parse_includes, product_fields, render_product
from chalicelib.catalog.products.schemas import ProductOut
from chalicelib.catalog.stock.models import StockItem
from chalicelib.core import keys
from chalicelib.core.batch import MAX_KEYS, batch_get, paginate_and_fetch
from chalicelib.core.errors import field_error
from chalicelib.core.keys import Key
from chalicelib.core.pagination import Page, cut_page


def list_store_products(store_id: str, params: StoreProductsQuery, *, sees_inactive: bool,
                        check_store: Callable[[Any], object], sees_inactive_stores: bool = True) -> Page[Any]:
    """A store's live products, newest first: Query then one BatchGetItem (store, total, products).
    `check_store` (the stores domain's) gets the store item read in that batch and raises when the caller
    may not see it. `include=variants` adds each product's variants priced in the store (effective price, the
    store's currency, the stock of that store): one more BatchGetItem for the whole page (module docstring).

    Customers read the store's active view (gsi2 `STORE#<id>#PRODUCTS#A:1`), others every live product
    (gsi1); soft-deleted products are in neither (the catalog moves a link's index keys with its product),
    so pages are full (unless cut to fit the variants' BatchGetItem) and totals exact.
    """
    includes = parse_includes(params.include, default=(), allowed=STORE_PRODUCT_INCLUDES)
    if includes and params.per_page > MAX_PER_PAGE_WITH_VARIANTS:
        raise field_error("per_page", msg.LIST_INCLUDE_PAGE, max=MAX_PER_PAGE_WITH_VARIANTS)
    if sees_inactive:
        index, partition, total = "gsi1", store_products_partition(store_id), store_products_total(store_id)
    else:
        index = "gsi2"
        partition = total = keys.store_products_state_partition(store_id, True)
    scope = f"store:{store_id}:products:{index}"

    def query(limit: int, start: dict[str, Any] | None) -> Any:
        return getattr(ProductStoreItem, index).query(partition, limit=limit, page_size=limit,
                                                      last_evaluated_key=start, scan_index_forward=False)

    page, found = paginate_and_fetch(query, params=params, scope=scope, total=total, index=index,
                                     extra=[keys.store_key(store_id)],
                                     target=lambda link: keys.product_key(link.product_id))
    store = found.get(keys.store_key(store_id))
    check_store(store)
    products = [found.get(keys.product_key(link.product_id)) for link in page.items]
    if not includes:
        return Page(items=[ProductOut.model_validate(product_fields(p)) for p in products
                           if isinstance(p, ProductItem)], meta=page.meta)
    keep, wanted, batched = _fit(products, store_id)
    page = cut_page(page, keep, scope=scope, index=index)
    fetched = batch_get(wanted, consistent=False) if wanted else {}
    context = StoreContext(store_id, store_currency(store), attached=True)
    raw = {keys.store_key(store_id): store.serialize()} if store is not None else {}
    shown: list[Any] = []
    for product in products[:keep]:
        if not isinstance(product, ProductItem):
            continue
        collection = (_from_batch(product, store_id, fetched) if product.id in batched
                      else _in_store(load_collection(product.id), store_id))
        shown.append(render_product(product, includes, raw, collection, sees_inactive=sees_inactive,
                                    sees_inactive_stores=sees_inactive_stores, context=context))
    return Page(items=shown, meta=page.meta)


def _variant_keys(product: ProductItem, store_id: str) -> list[Key] | None:
    """The keys of the product's variants with their stock and override in the store; None when the product's
    `variant_ids` cannot be trusted (its collection's Query reads it instead)."""
    variant_ids = known_variant_ids(product)
    if variant_ids is None:
        return None
    return [key for vid in sorted(variant_ids) for key in (
        keys.variant_key(product.id, vid), keys.stock_key(product.id, vid, store_id),
        keys.price_key(product.id, vid, store_id))]


def _fit(products: list[Any], store_id: str) -> tuple[int, list[Key], set[str]]:
    """How many of the page's rows to show, the keys their one BatchGetItem reads (≤ MAX_KEYS) and the
    products it covers: rows are kept in order while their keys fit. The first row is always kept: alone too
    big, or with an untrusted `variant_ids`, a product is left out of the batch (its collection's Query)."""
    wanted: list[Key] = []
    batched: set[str] = set()
    keep = 0
    for product in products:
        mine = _variant_keys(product, store_id) if isinstance(product, ProductItem) else None
        if keep and mine is not None and len(wanted) + len(mine) > MAX_KEYS:
            break
        keep += 1
        if mine is not None and len(mine) > MAX_KEYS:
            break  # only the first row gets here: shown alone, by its Query
        if mine is not None:
            wanted += mine
            batched.add(product.id)
    return keep, wanted, batched


def _from_batch(product: ProductItem, store_id: str, fetched: dict[Key, Any]) -> Collection:
    """The part of the product's collection the store's list renders, from the page's BatchGetItem."""
    found = Collection(product=product)
    for vid in sorted(product.variant_ids or ()):
        variant = fetched.get(keys.variant_key(product.id, vid))
        if not isinstance(variant, VariantItem):
            continue  # deleted meanwhile
        found.variants.append(variant)
        stock = fetched.get(keys.stock_key(product.id, vid, store_id))
        if isinstance(stock, StockItem):
            found.stock.append(stock)
        price = fetched.get(keys.price_key(product.id, vid, store_id))
        if isinstance(price, PriceItem):
            found.prices.append(price)
    return found


def _in_store(found: Collection, store_id: str) -> Collection:
    """A collection read whole, narrowed to what the batch path reads: the stock and overrides of this store."""
    found.stock = [s for s in found.stock if s.store_id == store_id]
    found.prices = [p for p in found.prices if p.store_id == store_id]
    return found
