"""What product ↔ store link routes read and answer."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field

from chalicelib.core.pagination import PageQuery
from chalicelib.core.schemas import IdList, Input, Output

STORE_PRODUCT_INCLUDES = ("variants",)
MAX_PER_PAGE_WITH_VARIANTS = 30  # one Query of each product's collection per product on the page


class StoreProductsQuery(PageQuery):
    """`include=variants`: each product's variants priced in the store (effective price, store currency)."""

    include: str | None = Field(None, max_length=200)


class StoreIdsIn(Input):
    store_ids: Annotated[IdList, Field(min_length=1)]


class AttachStoresOut(Output):
    product_id: str
    attached: list[str]
    already_attached: list[str]
