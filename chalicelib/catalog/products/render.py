"""Turning a product, its collection and its related records into the API's output."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links import policies as store_policies
from chalicelib.catalog.prices.policies import StoreContext, base_currency, effective_price
from chalicelib.catalog.products.collection import Collection
from chalicelib.catalog.products.models import OptionItem, OptionValueItem, ProductItem, VariantItem
from chalicelib.catalog.products.schemas import (
    INCLUDES,
    OptionOut,
    PriceOut,
    ProductOut,
    StockLevel,
    StoreSummary,
    UserSummary,
    ValueOut,
    VariantOut,
)
from chalicelib.catalog.stock.models import StockItem
from chalicelib.categories.schemas import CategoryOut
from chalicelib.core import keys
from chalicelib.core.batch import MAX_KEYS, typed
from chalicelib.core.errors import field_error

MAX_STORES_RENDERED = 20  # of a product's stores, the first 20 are rendered (budget: one BatchGetItem)

Raw = dict[tuple[str, str], dict[str, Any]]


def parse_includes(value: str | None, *, default: Iterable[str], allowed: Iterable[str] = INCLUDES) -> set[str]:
    """`?include=a,b`; unknown names → 422 (absent: `default`)."""
    if value is None:
        return set(default)
    names = {part.strip() for part in value.split(",") if part.strip()}
    unknown = sorted(names - set(INCLUDES))
    if unknown:
        raise field_error("include", msg.UNKNOWN_INCLUDE, names=", ".join(unknown), allowed=", ".join(INCLUDES))
    if names - set(allowed):
        raise field_error("include", msg.LIST_INCLUDE, allowed=", ".join(allowed))
    return names


def product_fields(product: ProductItem) -> dict[str, Any]:
    return ProductOut(id=product.id, name=product.name, slug=product.slug, description=product.description,
                      product_category_id=product.product_category_id, is_active=bool(product.is_active),
                      is_featured=bool(product.is_featured), created_by=product.created_by,
                      deleted_at=product.deleted_at, created_at=product.created_at,
                      updated_at=product.updated_at).model_dump(mode="json")


def value_out(value: OptionValueItem) -> ValueOut:
    return ValueOut(id=value.id, option_id=value.option_id, product_id=value.product_id, value=value.value,
                    position=int(value.position), created_at=value.created_at, updated_at=value.updated_at)


def by_position(items: Iterable[Any]) -> list[Any]:
    return sorted(items, key=lambda item: (int(item.position), item.id))


def option_out(option: OptionItem, values: Iterable[OptionValueItem]) -> OptionOut:
    mine = [value_out(v) for v in by_position(v for v in values if v.option_id == option.id)]
    return OptionOut(id=option.id, product_id=option.product_id, name=option.name, position=int(option.position),
                     values=mine, created_at=option.created_at, updated_at=option.updated_at)


def options_out(found: Collection) -> list[OptionOut]:
    return [option_out(option, found.values) for option in by_position(found.options)]


def files_out(file_ids: Iterable[str] | None, raw: Raw) -> list[Any]:
    """Gallery files in their order; files absent from the read (deleted, or past the cap) are left out."""
    from chalicelib.media.models import FileItem
    from chalicelib.media.schemas import file_out

    out = []
    for file_id in file_ids or []:
        item = typed(raw.get(keys.file_key(file_id)))
        if isinstance(item, FileItem):
            out.append(file_out(item).model_dump(mode="json"))
    return out


def price_out(item: Any) -> PriceOut:
    """A price override (catalog/prices' PriceItem) as reads and writes answer it."""
    return PriceOut(store_id=item.store_id, currency=item.currency, price=item.price,
                    compare_at_price=item.compare_at_price, updated_at=item.updated_at)


def variant_out(variant: VariantItem, stock: Iterable[StockItem], raw: Raw, *, overrides: Iterable[Any] = (),
                context: StoreContext | None = None, list_prices: bool = False) -> VariantOut:
    """Base prices in the base currency (with `prices`, the variant's overrides, when `list_prices`), or in a
    store context the effective price there in the store's currency. `overrides`: PriceItems (any variant's)."""
    records = sorted((s for s in stock if s.variant_id == variant.id), key=lambda s: s.store_id)
    mine = sorted((p for p in overrides if p.variant_id == variant.id), key=lambda p: p.store_id)
    price, compare_at, currency = variant.price, variant.compare_at_price, base_currency()
    if context is not None:
        override = next((p for p in mine if p.store_id == context.store_id), None)
        (price, compare_at), currency = effective_price(variant, override, context), context.currency
    return VariantOut(id=variant.id, product_id=variant.product_id, sku=variant.sku, price=price,
                      compare_at_price=compare_at, currency=currency,
                      option_value_ids=list(variant.option_value_ids or []), is_active=bool(variant.is_active),
                      stock=[StockLevel(store_id=s.store_id, quantity=int(s.quantity)) for s in records],
                      gallery=files_out(variant.gallery, raw), created_at=variant.created_at,
                      updated_at=variant.updated_at,
                      prices=[price_out(p) for p in mine] if list_prices and context is None else None)


def store_context(store_id: str | None, raw: Raw, *, attached: bool, sees_inactive_stores: bool) -> StoreContext | None:
    """The store a read prices in (`?store_id=`), from the store item its BatchGetItem brought (`attached`: the
    product has a link to it); a store the reader may not see (unknown, being deleted, inactive for
    customers) → 422 on `store_id`."""
    if store_id is None:
        return None
    store = typed(raw.get(keys.store_key(store_id)))
    if not store_policies.store_shown(store, sees_inactive=sees_inactive_stores):
        raise field_error("store_id", msg.STORE_MISSING, store_id=store_id)
    return StoreContext(store_id, str(store.currency), attached)


def related_keys(products: list[ProductItem], includes: set[str], found: Collection | None = None, *,
                 cover_only: bool = False, budget: int = MAX_KEYS,
                 sees_inactive_stores: bool = True, store_id: str | None = None) -> list[tuple[str, str]]:
    """The keys one BatchGetItem needs for `includes`, in priority order, at most `budget` of them (first: the
    store of a store-context read; last: the stores of the variants' stock, for readers who do not see every
    store)."""
    wanted: list[tuple[str, str]] = [keys.store_key(store_id)] if store_id else []
    for product in products:
        if "category" in includes:
            wanted.append(keys.category_key(product.product_category_id))
        if "creator" in includes and product.created_by:
            wanted.append(keys.user_key(product.created_by))
    if found is not None and "stores" in includes:
        wanted += [keys.store_key(link.store_id) for link in found.links[:MAX_STORES_RENDERED]]
    for product in products:
        if "gallery" in includes:
            wanted += [keys.file_key(f) for f in (product.gallery or [])[: 1 if cover_only else None]]
    if found is not None and "variants" in includes:
        for variant in found.variants:
            wanted += [keys.file_key(f) for f in variant.gallery or []]
        wanted += store_policies.stock_store_keys(found.stock, sees_inactive=sees_inactive_stores)
    return list(dict.fromkeys(wanted))[:budget]


def render_product(product: ProductItem, includes: set[str], raw: Raw, found: Collection | None = None, *,
                   sees_inactive: bool = True, sees_inactive_stores: bool = True,
                   cover_only: bool = False, context: StoreContext | None = None) -> dict[str, Any]:
    """The product's fields plus the requested related resources (stores and stock: only shown stores);
    variants priced in `context`'s store when given."""
    from chalicelib.identity.models import UserItem

    out = product_fields(product)
    if "category" in includes:
        category = typed(raw.get(keys.category_key(product.product_category_id)))
        out["category"] = CategoryOut.from_item(category).model_dump(mode="json") if category else None
    if "creator" in includes:
        user = typed(raw.get(keys.user_key(product.created_by))) if product.created_by else None
        out["creator"] = UserSummary(id=user.id, name=user.name).model_dump() if isinstance(user, UserItem) else None
    if "gallery" in includes:
        out["gallery"] = files_out((product.gallery or [])[: 1 if cover_only else None], raw)
    if found is None:
        return out
    if "stores" in includes:
        # The item at each store's key, summarised by its public fields (the stores domain owns the item;
        # the catalog reads it by attribute and never imports that domain).
        stores = [typed(raw.get(keys.store_key(link.store_id))) for link in found.links[:MAX_STORES_RENDERED]]
        out["stores"] = [StoreSummary.model_validate(s, from_attributes=True).model_dump()
                         for s in stores if store_policies.store_shown(s, sees_inactive=sees_inactive_stores)]
    if "options" in includes:
        out["options"] = [option.model_dump(mode="json") for option in options_out(found)]
    if "variants" in includes:
        shown = [v for v in sorted(found.variants, key=lambda v: v.id) if sees_inactive or v.is_active]
        stock = store_policies.shown_stock(found.stock, raw, sees_inactive=sees_inactive_stores)
        out["variants"] = [variant_out(v, stock, raw, overrides=found.prices, context=context).model_dump(mode="json")
                           for v in shown]
    return out

