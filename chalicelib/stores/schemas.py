"""What the stores domain reads and writes over HTTP: stores and their members."""
from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool

from chalicelib.core.i18n import T
from chalicelib.core.pagination import PageQuery
from chalicelib.core.schemas import MULTILINE, Email, IdList, Input, Name, Output, invalid, patch_field

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PHONE = re.compile(r"^\+?[0-9 ().-]{3,32}$")

CURRENCY_INVALID = T("La devise doit être un code ISO 4217 de trois lettres majuscules (ex. EUR).",
                     "The currency must be an ISO 4217 code of three upper-case letters (e.g. EUR).")
COUNTRY_INVALID = T("Le pays doit être un code ISO 3166-1 alpha-2 en majuscules (ex. FR).",
                    "The country must be an upper-case ISO 3166-1 alpha-2 code (e.g. FR).")
SLUG_INVALID = T("Le slug ne peut contenir que des minuscules, des chiffres et des tirets.",
                 "The slug may only hold lower-case letters, digits and hyphens.")
PHONE_INVALID = T("Le numéro de téléphone n'est pas valide.", "The phone number is not valid.")


def _currency(value: str) -> str:
    if not _CURRENCY.match(value):
        raise invalid(CURRENCY_INVALID)
    return value


def _country(value: str) -> str:
    if not _COUNTRY.match(value):
        raise invalid(COUNTRY_INVALID)
    return value


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise invalid(SLUG_INVALID)
    return value


def _phone(value: str) -> str:
    if not _PHONE.match(value):
        raise invalid(PHONE_INVALID)
    return value


Currency = Annotated[str, AfterValidator(_currency)]
Country = Annotated[str, AfterValidator(_country)]
Slug = Annotated[str, Field(min_length=1, max_length=255), AfterValidator(_slug)]
Phone = Annotated[str, AfterValidator(_phone)]
Text = Annotated[str, Field(max_length=5000), MULTILINE]
Line = Annotated[str, Field(min_length=1, max_length=255)]


class StoreAddressIn(Input):
    """A store's postal address."""

    line1: Line
    line2: Line | None = None
    city: Line
    postal_code: Annotated[str, Field(min_length=1, max_length=20)]
    region: Line | None = None
    country: Country


class StoreAddressOut(Output):
    """A store's postal address."""

    line1: str
    line2: str | None = None
    city: str
    postal_code: str
    region: str | None = None
    country: str


class StoreCreate(Input):
    """POST /stores and PUT /stores/{id} (PUT replaces: an absent slug keeps the current one)."""

    name: Name
    slug: Slug | None = None
    description: Text | None = None
    email: Email | None = None
    phone: Phone | None = None
    currency: Currency = "EUR"
    address: StoreAddressIn | None = None
    is_active: StrictBool = True


class StorePatch(Input):
    """PATCH /stores/{id}: only the given fields change; null clears an optional one."""

    name: Name = patch_field()
    slug: Slug = patch_field()
    description: Text | None = None
    email: Email | None = None
    phone: Phone | None = None
    currency: Currency = patch_field()
    address: StoreAddressIn | None = None
    is_active: StrictBool = patch_field()


class StoreOut(Output):
    id: str
    name: str
    slug: str
    description: str | None = None
    email: str | None = None
    phone: str | None = None
    currency: str
    address: StoreAddressOut | None = None
    is_active: bool
    created_at: str | None = None
    updated_at: str | None = None


class StoreListQuery(PageQuery):
    is_active: bool | None = None


class UserIdsIn(Input):
    user_ids: Annotated[IdList, Field(min_length=1)]


class MemberOut(Output):
    """A store member: a user summary and when they joined."""

    id: str
    name: str | None = None
    email: str | None = None
    joined_at: str | None = None


class AttachUsersOut(Output):
    store_id: str
    attached: list[str]
    already_attached: list[str]
