"""What reservation routes read and answer."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt, field_validator

from chalicelib.catalog import messages as msg
from chalicelib.catalog.stock.schemas import MAX_STOCK
from chalicelib.core.schemas import Id, Input, Output, invalid

MAX_LINES = 20
Status = Literal["active", "committed", "released", "expired"]


class ReservationLine(Input):
    variant_id: Id
    quantity: Annotated[StrictInt, Field(ge=1, le=MAX_STOCK)]


class ReservationCreate(Input):
    store_id: Id
    items: Annotated[list[ReservationLine], Field(min_length=1, max_length=MAX_LINES)]
    ttl_seconds: Annotated[StrictInt, Field(ge=10, le=3600)] = 900
    reference: Annotated[str, Field(min_length=1, max_length=255)] | None = None

    @field_validator("items")
    @classmethod
    def _distinct(cls, lines: list[ReservationLine]) -> list[ReservationLine]:
        if len({line.variant_id for line in lines}) != len(lines):
            raise invalid(msg.VARIANTS_REPEATED)
        return lines


class ReservationLineOut(Output):
    variant_id: str
    product_id: str
    quantity: int


class ReservationOut(Output):
    id: str
    status: Status
    store_id: str
    items: list[ReservationLineOut]
    reference: str | None = None
    expires_at: str
    created_at: str
