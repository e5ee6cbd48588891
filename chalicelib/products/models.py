"""Product items of the single table: a product and, in its item collection, options, values and variants."""
from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute

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


class OptionItem(Entity, discriminator="product_option"):
    """pk PRODUCT#<pid>, sk OPTION#<id>."""

    id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    name = UnicodeAttribute()
    position = NumberAttribute(default=0)


class OptionValueItem(Entity, discriminator="product_option_value"):
    """pk PRODUCT#<pid>, sk OPTION#<oid>#VALUE#<id>."""

    id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    option_id = UnicodeAttribute()
    value = UnicodeAttribute()
    position = NumberAttribute(default=0)


class VariantItem(Entity, discriminator="product_variant"):
    """pk PRODUCT#<pid>, sk VARIANT#<id>. Prices are decimal strings; `gallery` as on products."""

    id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    sku = UnicodeAttribute()
    price = UnicodeAttribute()
    compare_at_price = UnicodeAttribute(null=True)
    option_value_ids = ListAttribute(of=UnicodeAttribute, null=True)
    is_active = BooleanAttribute(default=True)
    gallery = ListAttribute(of=UnicodeAttribute, null=True)
