"""Category items of the single table."""
from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.core.table import Entity


class CategoryItem(Entity, discriminator="product_category"):
    """A node of the category tree (pk CATEGORY#<id>)."""

    id = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    parent_id = UnicodeAttribute(null=True)
    depth = NumberAttribute(default=1)
    position = NumberAttribute(default=0)
    is_active = BooleanAttribute(default=True)
