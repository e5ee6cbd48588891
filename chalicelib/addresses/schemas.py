"""What the address routes accept and answer."""
from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, Field

from chalicelib.core.i18n import T
from chalicelib.core.pagination import PageQuery
from chalicelib.core.schemas import Id, Input, Output, invalid, patch_field

if TYPE_CHECKING:  # models load PynamoDB: not at import (cold start)
    from chalicelib.addresses.models import AddressItem

COUNTRY_INVALID = T("Le pays doit être un code ISO 3166-1 alpha-2 (ex. FR).",
                    "The country must be an ISO 3166-1 alpha-2 code (e.g. FR).")
PHONE_INVALID = T("Le numéro de téléphone n'est pas valide.", "The phone number is not valid.")


def _country(value: str) -> str:
    if len(value) != 2 or not value.isascii() or not value.isalpha():
        raise invalid(COUNTRY_INVALID)
    return value.upper()


def _phone(value: str) -> str:
    digits = [c for c in value if c.isdigit()]
    if not 4 <= len(digits) <= 20 or any(c not in "+0123456789 .-()" for c in value) or "+" in value[1:]:
        raise invalid(PHONE_INVALID)
    return value


Country = Annotated[str, AfterValidator(_country)]
Phone = Annotated[str, Field(max_length=32), AfterValidator(_phone)]
Short = Annotated[str, Field(min_length=1, max_length=100)]
Line = Annotated[str, Field(min_length=1, max_length=255)]
PostalCode = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9 -]+$")]


class AddressCreate(Input):
    """POST and PUT: the whole address (PUT clears the optional fields it does not send)."""

    label: Short | None = None
    first_name: Short
    last_name: Short
    line1: Line
    line2: Line | None = None
    city: Short
    postal_code: PostalCode
    country: Country
    phone: Phone | None = None
    is_default: bool = False


class AddressPatch(Input):
    """PATCH: the fields sent change; only the optional ones may be null (cleared)."""

    label: Short | None = None
    first_name: Short = patch_field()  # type: ignore[assignment]
    last_name: Short = patch_field()  # type: ignore[assignment]
    line1: Line = patch_field()  # type: ignore[assignment]
    line2: Line | None = None
    city: Short = patch_field()  # type: ignore[assignment]
    postal_code: PostalCode = patch_field()  # type: ignore[assignment]
    country: Country = patch_field()  # type: ignore[assignment]
    phone: Phone | None = None
    is_default: bool = patch_field()  # type: ignore[assignment]


class AddressListQuery(PageQuery):
    user_id: Id | None = None  # admins only: another user's addresses


class AddressOut(Output):
    id: str
    user_id: str
    label: str | None = None
    first_name: str
    last_name: str
    line1: str
    line2: str | None = None
    city: str
    postal_code: str
    country: str
    phone: str | None = None
    is_default: bool
    created_at: str | None = None
    updated_at: str | None = None

    @classmethod
    def from_item(cls, item: AddressItem) -> AddressOut:
        return cls(id=item.id, user_id=item.user_id, label=item.label, first_name=item.first_name,
                   last_name=item.last_name, line1=item.line1, line2=item.line2, city=item.city,
                   postal_code=item.postal_code, country=item.country, phone=item.phone,
                   is_default=bool(item.is_default), created_at=item.created_at, updated_at=item.updated_at)


ADDRESS_FIELDS = ("label", "first_name", "last_name", "line1", "line2", "city", "postal_code", "country", "phone")
