"""What the identity routes accept and answer: registration, login, tokens, the user as seen by clients, roles."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from chalicelib.core.i18n import T
from chalicelib.core.schemas import MULTILINE, VERBATIM, Email, Input, Name, Output, invalid, patch_field
from chalicelib.identity.permissions import PERMISSIONS

__all__ = ["patch_field"]  # re-exported: users.schemas and addresses.schemas import it from here

if TYPE_CHECKING:  # models load PynamoDB: not at import (cold start), see docs/architecture.md
    from chalicelib.identity.models import RoleItem, UserItem

# Passwords are taken byte for byte: the model-wide whitespace stripping would silently change them.
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=8, max_length=256), VERBATIM]
AnyPassword = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1, max_length=256), VERBATIM]

PASSWORDS_DIFFER = T("La confirmation du mot de passe ne correspond pas.", "The password confirmation does not match.")
UNKNOWN_PERMISSION = T("Permission inconnue : {name}.", "Unknown permission: {name}.")
ROLE_NAME_INVALID = T("Le nom du rôle doit contenir 2 à 64 caractères : lettres minuscules, chiffres, - ou _, en commençant par une lettre.",
                      "The role name must be 2 to 64 characters: lower-case letters, digits, - or _, starting with a letter.")
_ROLE_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,63}$")


# --- users as clients see them ---------------------------------------------------------------------
class UserOut(Output):
    id: str
    name: str
    email: str
    roles: list[str]
    is_active: bool
    deleted_at: str | None = None
    created_at: str | None = None
    updated_at: str | None = None

    @classmethod
    def from_item(cls, user: UserItem) -> UserOut:
        return cls(id=user.id, name=user.name, email=user.email, roles=user.role_list(), is_active=user.is_active,
                   deleted_at=user.deleted_at, created_at=user.created_at, updated_at=user.updated_at)


class MeOut(UserOut):
    permissions: list[str]


class AuthOut(Output):
    user: UserOut
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"
    expires_in: int


# --- authentication ----------------------------------------------------------------------------------
class RegisterIn(Input):
    name: Name
    email: Email
    password: Password
    password_confirmation: AnyPassword

    @field_validator("password_confirmation")
    @classmethod
    def _confirmed(cls, value: str, info: ValidationInfo) -> str:
        if "password" in info.data and value != info.data["password"]:
            raise invalid(PASSWORDS_DIFFER)
        return value


class LoginIn(Input):
    email: Email
    password: AnyPassword


class RefreshIn(Input):
    refresh_token: Annotated[str, Field(min_length=1, max_length=300)]


# --- roles and permissions ------------------------------------------------------------------------
def _permission_list(value: list[str]) -> list[str]:
    for name in value:
        if name not in PERMISSIONS:
            # the message is formatted here: the validation-error renderer does not fill placeholders
            raise invalid(T(UNKNOWN_PERMISSION.fr.format(name=name), UNKNOWN_PERMISSION.en.format(name=name)))
    return sorted(set(value))


class RoleIn(Input):
    name: str
    description: Annotated[str | None, Field(max_length=1000), MULTILINE] = None
    permissions: Annotated[list[str], Field(max_length=len(PERMISSIONS) * 2)]

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _ROLE_NAME.match(value):
            raise invalid(ROLE_NAME_INVALID)
        return value

    @field_validator("permissions")
    @classmethod
    def _permissions(cls, value: list[str]) -> list[str]:
        return _permission_list(value)


class RoleReplace(Input):
    """PUT /roles/{id}: the name is the id and stays."""

    description: Annotated[str | None, Field(max_length=1000), MULTILINE] = None
    permissions: Annotated[list[str], Field(max_length=len(PERMISSIONS) * 2)]

    @field_validator("permissions")
    @classmethod
    def _permissions(cls, value: list[str]) -> list[str]:
        return _permission_list(value)


class RolePatch(Input):
    """PATCH /roles/{id}: the fields given change (`description: null` clears it; permissions cannot be null)."""

    description: Annotated[str | None, Field(max_length=1000), MULTILINE] = None
    permissions: Annotated[list[str], Field(max_length=len(PERMISSIONS) * 2)] = patch_field()

    @field_validator("permissions")
    @classmethod
    def _permissions(cls, value: list[str]) -> list[str]:
        return _permission_list(value)


class RoleOut(Output):
    id: str
    name: str
    description: str | None = None
    permissions: list[str]
    builtin: bool
    created_at: str | None = None
    updated_at: str | None = None

    @classmethod
    def from_item(cls, role: RoleItem) -> RoleOut:
        return cls(id=role.name, name=role.name, description=role.description,
                   permissions=sorted(role.permissions or ()), builtin=bool(role.builtin),
                   created_at=role.created_at, updated_at=role.updated_at)


class PermissionOut(Output):
    name: str
    resource: str
    action: str

    @classmethod
    def of(cls, name: str) -> PermissionOut:
        resource, _, action = name.partition(".")
        return cls(name=name, resource=resource, action=action)


def user_snapshot(user: UserItem) -> dict[str, Any]:
    """The public fields copied onto role memberships (see RoleMembershipItem)."""
    return UserOut.from_item(user).model_dump(mode="json")
