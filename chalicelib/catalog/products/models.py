"""Product items of the single table: a product and, in its item collection, options, values and variants.

Bounded child collections keep their counts on the parent item (`options_count`, `variants_count`,
`values_count`), moved in the same transaction as the child, with a condition that enforces the limit.
Usage counts (`variants_count` on options and values) make "in use by a variant → 409" one condition;
name maps on the parent (`option_names`, `value_keys`) make names unique without reservation items, so
deleting an option with its 100 values still fits one transaction.
Writes to these items use update actions (never a whole-item put), so counts and the media domain's
`gallery` are never overwritten.
"""
from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)

from chalicelib.core.table import Entity


class ProductItem(Entity, discriminator="product"):
    """pk PRODUCT#<id>, sk PRODUCT. `gallery`: ordered file ids (media domain writes it)."""

    id = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    product_category_id = UnicodeAttribute()
    is_active = BooleanAttribute(default=True)
    is_featured = BooleanAttribute(default=False)
    created_by = UnicodeAttribute(null=True)
    deleted_at = UnicodeAttribute(null=True)
    gallery = ListAttribute(of=UnicodeAttribute, null=True)
    options_count = NumberAttribute(default=0)
    variants_count = NumberAttribute(default=0)
    # The variants' ids, moved with `variants_count` in the variant create and delete transactions, so a store's
    # product list finds the variants' keys without a Query of the collection. Null when empty (DynamoDB stores
    # no empty set); trusted only when its size equals `variants_count` (products written before it existed
    # lack it: their readers fall back to the collection's Query).
    variant_ids = UnicodeSetAttribute(null=True)
    # case-folded names as map keys (a rename is REMOVE one key + SET another: no overlapping paths)
    option_names = MapAttribute(null=True)


class OptionItem(Entity, discriminator="product_option"):
    """pk PRODUCT#<pid>, sk OPTION#<id>."""

    id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    name = UnicodeAttribute()
    position = NumberAttribute(default=0)
    values_count = NumberAttribute(default=0)
    variants_count = NumberAttribute(default=0)  # variant references to any of its values
    value_keys = MapAttribute(null=True)  # case-folded values as map keys, as option_names on products
    value_ids = UnicodeSetAttribute(null=True)  # so deleting the option needs no read of its values


class OptionValueItem(Entity, discriminator="product_option_value"):
    """pk PRODUCT#<pid>, sk OPTION#<oid>#VALUE#<id>."""

    id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    option_id = UnicodeAttribute()
    value = UnicodeAttribute()
    position = NumberAttribute(default=0)
    variants_count = NumberAttribute(default=0)  # variants using this value


class VariantItem(Entity, discriminator="product_variant"):
    """pk PRODUCT#<pid>, sk VARIANT#<id>. Prices are decimal strings; `gallery` as on products."""

    id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    sku = UnicodeAttribute()
    price = UnicodeAttribute()
    compare_at_price = UnicodeAttribute(null=True)
    option_value_ids = ListAttribute(of=UnicodeAttribute, null=True)
    option_ids = ListAttribute(of=UnicodeAttribute, null=True)  # the option of each value (their keys, no read)
    is_active = BooleanAttribute(default=True)
    gallery = ListAttribute(of=UnicodeAttribute, null=True)


class VariantPointerItem(Entity, discriminator="variant_pointer"):
    """pk VARIANT#<id>, sk VARIANT: which product a variant belongs to, by key, so a request naming many variants
    by id (a store's bulk prices) finds them with one BatchGetItem instead of a gsi5 Query each. Written and
    deleted in the variant's own create and delete transactions (variants created before it have none: their
    readers fall back to the gsi5 lookup)."""

    product_id = UnicodeAttribute()


class ProductListingItem(Entity, discriminator="product_listing"):
    """pk PRODUCT#<pid>, sk LISTING: lists the product in the featured partitions its own item has no index
    left for (gsi1 `PRODUCTS#F:<f>`, gsi2 `PRODUCTS#C:<c>#F:<f>`, gsi3 `PRODUCTS#C:<c>#F:<f>#A:<a>`); only while
    the product is not soft-deleted. Lists read it, then the products (one BatchGetItem)."""

    product_id = UnicodeAttribute()
