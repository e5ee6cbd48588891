"""What product ↔ store link routes read and answer."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field

from chalicelib.core.schemas import IdList, Input, Output


class StoreIdsIn(Input):
    store_ids: Annotated[IdList, Field(min_length=1)]


class AttachStoresOut(Output):
    product_id: str
    attached: list[str]
    already_attached: list[str]
