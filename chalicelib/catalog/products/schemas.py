"""What the products domain reads and writes over HTTP (products, options, values, variants)."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator

from chalicelib.catalog import messages as msg
from chalicelib.categories.schemas import CategoryOut
from chalicelib.core.pagination import PageQuery
from chalicelib.core.schemas import MULTILINE, Id, Input, Name, Output, Query, invalid, patch_field
from chalicelib.media.schemas import FileOut

# Related resources a product read can include (`?include=`): all of them by default on GET /products/{id};
# a list page takes only LIST_INCLUDES (one BatchGetItem for the whole page).
INCLUDES = ("category", "variants", "options", "stores", "gallery", "creator")
LIST_INCLUDES = ("category", "creator", "gallery")

MAX_STORES_AT_CREATE = 20  # one transaction: 4 writes per store link next to the product's own
MAX_POSITION = 999_999
_AMOUNT = re.compile(r"^\d{1,10}(\.\d{1,2})?$")


def _amount(value: Any) -> Any:
    """Money arrives as a decimal string ("19.9", "19.90"), never as a JSON number; stored with two places."""
    if value is None:
        return None
    if not isinstance(value, str) or not _AMOUNT.match(value.strip()):
        raise invalid(msg.PRICE_FORMAT)
    return f"{Decimal(value.strip()):.2f}"


Amount = Annotated[str, BeforeValidator(_amount)]
OptionalAmount = Annotated[str | None, BeforeValidator(_amount)]
Description = Annotated[str | None, Field(max_length=10_000), MULTILINE]
Position = Annotated[int, Field(ge=0, le=MAX_POSITION)]


def _distinct(values: list[str] | None) -> list[str] | None:
    if values is not None and len(set(values)) != len(values):
        raise invalid(msg.DUPLICATE_IDS)
    return values


# --- products ---------------------------------------------------------------------------------------
class ProductFields(Input):
    """PUT replaces these; store links are managed by the product-stores routes."""

    name: Name
    description: Description = None
    product_category_id: Id
    is_active: bool = True
    is_featured: bool = False


class ProductCreate(ProductFields):
    store_ids: list[Id] = Field(default_factory=list, max_length=MAX_STORES_AT_CREATE)

    _unique_stores = field_validator("store_ids")(_distinct)


class ProductPatch(Input):
    name: Name = patch_field()
    description: Description = None
    product_category_id: Id = patch_field()
    is_active: bool = patch_field()
    is_featured: bool = patch_field()


class ProductReadQuery(Query):
    """`include`: comma-separated related resources (default on a single product: all of them); `store_id`:
    variants show their effective price in that store (catalog/prices)."""

    include: str | None = Field(None, max_length=200)
    store_id: Id | None = None


class VariantReadQuery(Query):
    """`store_id`: the variant's effective price in that store instead of its base price and overrides."""

    store_id: Id | None = None


class ProductListQuery(PageQuery):
    product_category_id: Id | None = None
    store_id: Id | None = None
    is_active: bool | None = None
    is_featured: bool | None = None
    include: str | None = Field(None, max_length=200)


class UserSummary(Output):
    id: str
    name: str


class StoreSummary(Output):
    id: str
    name: str
    slug: str
    currency: str
    is_active: bool


class ProductOut(Output):
    """The product's own fields; includes are added by the reader (`category`, `variants`, …)."""

    id: str
    name: str
    slug: str
    description: str | None = None
    product_category_id: str
    is_active: bool
    is_featured: bool
    created_by: str | None = None
    deleted_at: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


# --- options and values -----------------------------------------------------------------------------
class OptionCreate(Input):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    position: Position = 0


class OptionPatch(Input):
    name: Annotated[str, Field(min_length=1, max_length=100)] = patch_field()
    position: Position = patch_field()


class ValueCreate(Input):
    value: Annotated[str, Field(min_length=1, max_length=100)]
    position: Position = 0


class ValuePatch(Input):
    value: Annotated[str, Field(min_length=1, max_length=100)] = patch_field()
    position: Position = patch_field()


class ValueOut(Output):
    id: str
    option_id: str
    product_id: str
    value: str
    position: int
    created_at: str | None = None
    updated_at: str | None = None


class OptionFields(Output):
    """An option's own fields: what option writes answer."""

    id: str
    product_id: str
    name: str
    position: int
    created_at: str | None = None
    updated_at: str | None = None


class OptionOut(OptionFields):
    """An option with its values in order: what option reads answer."""

    values: list[ValueOut] = Field(default_factory=list)


# --- variants ---------------------------------------------------------------------------------------
class VariantCreate(Input):
    sku: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")]
    price: Amount
    compare_at_price: OptionalAmount = None
    option_value_ids: list[Id] = Field(default_factory=list, max_length=100)
    is_active: bool = True

    _unique_values = field_validator("option_value_ids")(_distinct)


class VariantPatch(Input):
    sku: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")] = patch_field()
    price: Amount = patch_field()
    compare_at_price: OptionalAmount = None
    option_value_ids: list[Id] = patch_field(max_length=100)
    is_active: bool = patch_field()

    _unique_values = field_validator("option_value_ids")(_distinct)


class StockLevel(Output):
    """Units of a variant in one store, as a variant read shows them."""

    store_id: str
    quantity: int


class PriceOut(Output):
    """A store's price override of a variant, in the store's currency (catalog/prices)."""

    store_id: str
    currency: str
    price: str
    compare_at_price: str | None = None
    updated_at: str | None = None


class VariantFields(Output):
    """A variant's own fields: what variant writes answer."""

    id: str
    product_id: str
    sku: str
    price: str
    compare_at_price: str | None = None
    option_value_ids: list[str] = Field(default_factory=list)
    is_active: bool
    created_at: str | None = None
    updated_at: str | None = None


class VariantOut(VariantFields):
    """A variant with its stock in every store and its gallery: what variant reads answer. `price` and
    `compare_at_price` are in `currency`: the base currency, or in a store-context read (`store_id`) the
    store's, with the effective price there (`null`: not sold in that store). A variant read without
    `store_id` adds `prices`, its overrides."""

    price: str | None  # type: ignore[assignment]
    currency: str
    stock: list[StockLevel] = Field(default_factory=list)
    gallery: list[FileOut] = Field(default_factory=list)
    prices: list[PriceOut] | None = None


class ProductDetail(ProductOut):
    """A product with the related resources a read includes (`?include=`; each key only when included):
    what product reads answer."""

    category: CategoryOut | None = None
    creator: UserSummary | None = None
    gallery: list[FileOut] | None = None
    stores: list[StoreSummary] | None = None
    options: list[OptionOut] | None = None
    variants: list[VariantOut] | None = None
