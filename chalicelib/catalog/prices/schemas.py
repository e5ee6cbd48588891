"""What store price routes read and answer: a variant's price override in a store, and the bulk write."""
from __future__ import annotations

from pydantic import Field

from chalicelib.catalog.products.schemas import Amount, OptionalAmount, PriceOut
from chalicelib.core.schemas import Id, Input, Output

MAX_BULK_ROWS = 100

__all__ = ["MAX_BULK_ROWS", "PriceIn", "PriceOut", "PriceRow", "StorePricesIn", "StorePriceOut", "StorePricesOut"]


class PriceIn(Input):
    """PUT /product-variants/{id}/prices/{store_id}: in the store's currency; compare_at_price ≥ price."""

    price: Amount
    compare_at_price: OptionalAmount = None


class PriceRow(PriceIn):
    variant_id: Id


class StorePricesIn(Input):
    """PUT /stores/{id}/prices: 1–100 rows, distinct variants, all or nothing."""

    items: list[PriceRow] = Field(min_length=1, max_length=MAX_BULK_ROWS)


class StorePriceOut(PriceOut):
    """One row of a bulk write's answer: the override and the variant it prices."""

    product_id: str
    variant_id: str


class StorePricesOut(Output):
    store_id: str
    currency: str
    items: list[StorePriceOut]
