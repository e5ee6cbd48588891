"""What the users routes accept: create, replace (PUT), partial update (PATCH), list filters."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from chalicelib.core.pagination import PageQuery
from chalicelib.core.schemas import Email, Input, Name
from chalicelib.identity.schemas import AnyPassword, Password, UserOut, patch_field

__all__ = ["UserCreate", "UserListQuery", "UserOut", "UserPatch", "UserReplace"]

RoleName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_-]*$")]
RoleNames = Annotated[list[RoleName], Field(max_length=20)]


class UserCreate(Input):
    name: Name
    email: Email
    password: Password
    roles: RoleNames | None = None  # admins only; default ["customer"]
    is_active: bool = True


class UserPatch(Input):
    """PATCH: only the fields sent change; `null` is refused (a field is never blanked by accident)."""

    name: Name = patch_field()  # type: ignore[assignment]
    email: Email = patch_field()  # type: ignore[assignment]
    password: Password = patch_field()  # type: ignore[assignment]
    current_password: AnyPassword = patch_field()  # type: ignore[assignment]  # required to change one's own password
    roles: RoleNames = patch_field()  # type: ignore[assignment]
    is_active: bool = patch_field()  # type: ignore[assignment]


class UserReplace(UserPatch):
    """PUT: name and e-mail are required; the password, roles and is_active stay as they are when absent."""

    name: Name
    email: Email


class UserListQuery(PageQuery):
    role: Annotated[str | None, Field(max_length=64)] = None
    trashed: Literal["with", "only"] | None = None
