"""A product's item collection (pk PRODUCT#<id>): reading it in one Query, and where products are listed."""
from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.catalog import messages as msg
from chalicelib.catalog.links.models import ProductStoreItem, store_products_partition, store_products_total
from chalicelib.catalog.prices.models import PriceItem
from chalicelib.catalog.products.models import OptionItem, OptionValueItem, ProductItem, VariantItem
from chalicelib.catalog.stock.models import StockItem
from chalicelib.core import keys
from chalicelib.core.errors import NotFound
from chalicelib.core.i18n import T
from chalicelib.core.listing import Slot
from chalicelib.core.table import Entity

PRODUCT_INDEXES = ("gsi1", "gsi2", "gsi3", "gsi4", "gsi5")
LISTING_INDEXES = ("gsi1", "gsi2", "gsi3")
LINK_INDEXES = ("gsi1", "gsi2")
SLUG_KIND = "product-slug"


@dataclass
class Collection:
    """Everything stored under one product, sorted by kind."""

    product: ProductItem | None = None
    options: list[OptionItem] = field(default_factory=list)
    values: list[OptionValueItem] = field(default_factory=list)
    variants: list[VariantItem] = field(default_factory=list)
    links: list[ProductStoreItem] = field(default_factory=list)
    stock: list[StockItem] = field(default_factory=list)
    prices: list[PriceItem] = field(default_factory=list)


def load_collection(product_id: str, *, lower: str | None = None, upper: str | None = None,
                    kinds: tuple[type[Entity], ...] | None = None, consistent: bool = False) -> Collection:
    """One Query of the product's partition (DynamoDB pages it past 1 MB: still one logical read).

    `lower`/`upper` narrow the sort-key range; `kinds` (item classes) filter server-side.
    """
    pk = keys.product_partition(product_id)
    condition = None
    if lower is not None and upper is not None:
        condition = Entity.sk.between(lower, upper)
    filter_condition = Entity.type.is_in(*kinds) if kinds else None
    found = Collection()
    for item in Entity.query(pk, condition, filter_condition=filter_condition, consistent_read=consistent):
        if isinstance(item, ProductItem):
            found.product = item
        elif isinstance(item, VariantItem):
            found.variants.append(item)
        elif isinstance(item, OptionValueItem):
            found.values.append(item)
        elif isinstance(item, OptionItem):
            found.options.append(item)
        elif isinstance(item, StockItem):
            found.stock.append(item)
        elif isinstance(item, ProductStoreItem):
            found.links.append(item)
        elif isinstance(item, PriceItem):
            found.prices.append(item)
    return found


def known_variant_ids(product: ProductItem) -> set[str] | None:
    """The product's variant ids from its own item, when they can be trusted: `variant_ids` moves with
    `variants_count` in the variant create and delete transactions, so a set whose size differs from the count
    (a product written before the set existed) is not; None then, and the caller Queries the collection."""
    variant_ids = set(product.variant_ids or ())
    return variant_ids if len(variant_ids) == int(product.variants_count or 0) else None


def load_product_and_links(product_id: str) -> Collection:
    """The product item and its store links (what a product write needs), in one Query."""
    return load_collection(product_id, lower=keys.product_key(product_id)[1], upper="STORE#\uffff",
                           kinds=(ProductItem, ProductStoreItem), consistent=True)


def visible(product: ProductItem | None, sees_inactive: bool) -> bool:
    """Customers only ever see active, non-deleted products; staff also see inactive and deleted ones."""
    if product is None:
        return False
    return sees_inactive or (bool(product.is_active) and not product.deleted_at)


def require_visible(product: ProductItem | None, sees_inactive: bool) -> ProductItem:
    if product is None or not visible(product, sees_inactive):
        raise NotFound(msg.PRODUCT_NOT_FOUND)
    return product


def require_product_visible(product: ProductItem | None, sees_inactive: bool, not_found: T) -> ProductItem:
    """A child (option, value, variant) is visible only with its product (customers: active and not deleted)."""
    if product is None or not visible(product, sees_inactive):
        raise NotFound(not_found)
    return product


def require_live(product: ProductItem | None) -> ProductItem:
    """Writes under a product need it to exist and not be soft-deleted (restore it first)."""
    if product is None or product.deleted_at:
        raise NotFound(msg.PRODUCT_NOT_FOUND)
    return product


def product_slots(product_id: str, category_id: str, active: bool, featured: bool, deleted: bool) -> list[Slot]:
    """The lists a product is in (none once soft-deleted); each partition's name is also its counter's."""
    if deleted:
        return []
    partitions = [
        ("gsi1", keys.products_partition()),
        ("gsi2", keys.products_partition(active=active)),
        ("gsi3", keys.products_partition(category_id=category_id)),
        ("gsi4", keys.products_partition(category_id=category_id, active=active)),
        ("gsi5", keys.products_partition(featured=featured, active=active)),
    ]
    return [Slot(index, partition, product_id, partition) for index, partition in partitions]


def item_slots(product: ProductItem) -> list[Slot]:
    return product_slots(product.id, product.product_category_id, bool(product.is_active), bool(product.is_featured),
                         bool(product.deleted_at))


def listing_slots(product_id: str, category_id: str, active: bool, featured: bool, deleted: bool) -> list[Slot]:
    """The featured lists the product's listing item puts it in (none once soft-deleted)."""
    if deleted:
        return []
    partitions = [
        ("gsi1", keys.products_partition(featured=featured)),
        ("gsi2", keys.products_partition(category_id=category_id, featured=featured)),
        ("gsi3", keys.products_partition(category_id=category_id, featured=featured, active=active)),
    ]
    return [Slot(index, partition, product_id, partition) for index, partition in partitions]


def item_listing_slots(product: ProductItem) -> list[Slot]:
    return listing_slots(product.id, product.product_category_id, bool(product.is_active),
                         bool(product.is_featured), bool(product.deleted_at))


def link_slots(product_id: str, store_id: str, active: bool, deleted: bool) -> list[Slot]:
    """A store link lists the product in the store (gsi1, the stores domain's list) and in the store's
    active/inactive view (gsi2), only while the product is not soft-deleted."""
    if deleted:
        return []
    state = keys.store_products_state_partition(store_id, active)
    return [Slot("gsi1", store_products_partition(store_id), product_id, store_products_total(store_id)),
            Slot("gsi2", state, product_id, state)]


def current_link_slots(link: ProductStoreItem) -> list[Slot]:
    """Where a link is listed now, read from the item itself (links written elsewhere may lack gsi2)."""
    listed = []
    if link.gsi1pk:
        listed.append(Slot("gsi1", link.gsi1pk, link.gsi1sk or link.product_id, store_products_total(link.store_id)))
    if link.gsi2pk:
        listed.append(Slot("gsi2", link.gsi2pk, link.gsi2sk or link.product_id, link.gsi2pk))
    return listed
