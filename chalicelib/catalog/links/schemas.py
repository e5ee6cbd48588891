"""What product ↔ store link routes read and answer."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field

from chalicelib.core.pagination import PageQuery
from chalicelib.core.schemas import IdList, Input, Output

STORE_PRODUCT_INCLUDES = ("variants",)
# The store and the list total ride with the page's products in one BatchGetItem of at most 100 keys
# (core.batch.MAX_KEYS): 98 products fill it. Without include the list takes PageQuery's 100.
MAX_PER_PAGE_WITH_VARIANTS = 98


class StoreProductsQuery(PageQuery):
    """`include=variants`: each product's variants priced in the store (effective price, store currency, the
    stock of that store); the page may come shorter than `per_page` (catalog/links/listing.py)."""

    include: str | None = Field(None, max_length=200)


class StoreIdsIn(Input):
    store_ids: Annotated[IdList, Field(min_length=1)]


class AttachStoresOut(Output):
    product_id: str
    attached: list[str]
    already_attached: list[str]
