"""Category items of the single table."""
from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.core.table import Entity


class CategoryItem(Entity, discriminator="product_category"):
    """A node of the category tree (pk CATEGORY#<id>).

    `path`: ancestor ids from the root (cycle checks without walking the tree); `children_count` and
    `products_count` move in the transactions that add or remove children and products (soft-deleted
    products included: a restore needs their category), so a delete is one conditional write.
    """

    id = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    parent_id = UnicodeAttribute(null=True)
    depth = NumberAttribute(default=1)
    position = NumberAttribute(default=0)
    is_active = BooleanAttribute(default=True)
    path = ListAttribute(of=UnicodeAttribute, null=True)
    children_count = NumberAttribute(default=0)
    products_count = NumberAttribute(default=0)
