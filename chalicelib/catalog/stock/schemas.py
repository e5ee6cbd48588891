"""What stock routes read and answer: a variant's units in a store, and the movements that changed them."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt, field_validator

from chalicelib.core.i18n import T
from chalicelib.core.schemas import Input, Output, invalid

DELTA_ZERO = T("La variation de stock ne peut pas être nulle.", "The stock change cannot be zero.")
MAX_STOCK = 1_000_000_000  # docs/data-model.md: a stock quantity is 0…10⁹, whether PUT or reached by adjust
Reason = Literal["received", "sold", "returned", "damaged", "correction", "other"]
MovementKind = Literal["set", "adjust", "reserved", "released", "committed", "expired", "deleted"]


class StockSet(Input):
    quantity: Annotated[StrictInt, Field(ge=0, le=MAX_STOCK)]


class StockAdjust(Input):
    delta: Annotated[StrictInt, Field(ge=-MAX_STOCK, le=MAX_STOCK)]
    reason: Reason = "correction"
    reference: Annotated[str, Field(min_length=1, max_length=255)] | None = None

    @field_validator("delta")
    @classmethod
    def _non_zero(cls, value: int) -> int:
        if value == 0:
            raise invalid(DELTA_ZERO)
        return value


class StockOut(Output):
    product_id: str
    variant_id: str
    store_id: str
    quantity: int
    reserved: int = 0  # units held by active reservations
    available: int = 0  # quantity − reserved
    updated_at: str | None = None


class VariantStockOut(Output):
    """A variant's stock in every store that holds a record of it."""

    product_id: str
    variant_id: str
    stock: list[StockOut]


class MovementOut(Output):
    """One change of a stock entry, as it was written (never changed afterwards)."""

    id: str
    variant_id: str
    store_id: str
    kind: MovementKind
    delta: int  # the change of `quantity`
    quantity_after: int
    reserved_after: int
    reason: Reason | None = None
    reference: str | None = None
    reservation_id: str | None = None
    actor_id: str | None = None
    created_at: str
