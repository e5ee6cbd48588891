"""Base pydantic classes and bilingual validation messages shared by every domain."""
from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from chalicelib.core.i18n import T, language

# defer_build: a schema is compiled on first use, not at import (cold start pays only for routes it runs).
_BASE = {"defer_build": True, "str_strip_whitespace": True}


class Input(BaseModel):
    """What comes in: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid", **_BASE)  # type: ignore[typeddict-item]


class Query(BaseModel):
    """Query-string parameters: unknown ones are ignored, values arrive as strings."""

    model_config = ConfigDict(extra="ignore", **_BASE)  # type: ignore[typeddict-item]


class Output(BaseModel):
    """What goes out."""

    model_config = ConfigDict(extra="ignore", from_attributes=True, **_BASE)  # type: ignore[typeddict-item]


def invalid(message: T, **params: object) -> PydanticCustomError:
    """A validation error with a French and an English message, for use inside validators."""
    return PydanticCustomError("bilingual", message.en, {"fr": message.fr, "en": message.en, **params})


# --- common field types --------------------------------------------------------------------------
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
EMAIL_INVALID = T("L'adresse e-mail n'est pas valide.", "The e-mail address is not valid.")


def _email(value: str) -> str:
    value = value.strip().lower()
    if len(value) > 254 or not _EMAIL.match(value):
        raise invalid(EMAIL_INVALID)
    return value


Email = Annotated[str, AfterValidator(_email)]
Name = Annotated[str, Field(min_length=1, max_length=255)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
IdList = Annotated[list[Id], Field(max_length=100)]  # the contract's "100 ids in any array"


# --- translating pydantic's errors into the envelope's per-field messages -----------------------
_MESSAGES: dict[str, T] = {
    "missing": T("Le champ {field} est obligatoire.", "The {field} field is required."),
    "extra_forbidden": T("Le champ {field} n'est pas autorisé.", "The {field} field is not allowed."),
    "string_type": T("Le champ {field} doit être une chaîne de caractères.", "The {field} field must be a string."),
    "string_too_short": T("Le champ {field} doit contenir au moins {min_length} caractère(s).",
                          "The {field} field must be at least {min_length} character(s)."),
    "string_too_long": T("Le champ {field} ne doit pas dépasser {max_length} caractères.",
                         "The {field} field must not exceed {max_length} characters."),
    "string_pattern_mismatch": T("Le format du champ {field} est invalide.", "The {field} field format is invalid."),
    "int_type": T("Le champ {field} doit être un entier.", "The {field} field must be an integer."),
    "int_parsing": T("Le champ {field} doit être un entier.", "The {field} field must be an integer."),
    "int_from_float": T("Le champ {field} doit être un entier.", "The {field} field must be an integer."),
    "bool_type": T("Le champ {field} doit être un booléen.", "The {field} field must be a boolean."),
    "bool_parsing": T("Le champ {field} doit être un booléen.", "The {field} field must be a boolean."),
    "greater_than_equal": T("Le champ {field} doit être supérieur ou égal à {ge}.",
                            "The {field} field must be greater than or equal to {ge}."),
    "greater_than": T("Le champ {field} doit être supérieur à {gt}.", "The {field} field must be greater than {gt}."),
    "less_than_equal": T("Le champ {field} doit être inférieur ou égal à {le}.",
                         "The {field} field must be less than or equal to {le}."),
    "less_than": T("Le champ {field} doit être inférieur à {lt}.", "The {field} field must be less than {lt}."),
    "list_type": T("Le champ {field} doit être une liste.", "The {field} field must be a list."),
    "too_long": T("Le champ {field} ne doit pas contenir plus de {max_length} éléments.",
                  "The {field} field must not have more than {max_length} items."),
    "too_short": T("Le champ {field} doit contenir au moins {min_length} élément(s).",
                   "The {field} field must have at least {min_length} item(s)."),
    "literal_error": T("Le champ {field} doit valoir {expected}.", "The {field} field must be {expected}."),
    "enum": T("Le champ {field} doit valoir {expected}.", "The {field} field must be {expected}."),
    "decimal_parsing": T("Le champ {field} doit être un montant décimal.", "The {field} field must be a decimal amount."),
    "decimal_type": T("Le champ {field} doit être un montant décimal.", "The {field} field must be a decimal amount."),
    "decimal_max_places": T("Le champ {field} ne doit pas avoir plus de {decimal_places} décimales.",
                            "The {field} field must not have more than {decimal_places} decimal places."),
    "decimal_max_digits": T("Le champ {field} est trop grand.", "The {field} field is too large."),
    "model_type": T("Le champ {field} doit être un objet.", "The {field} field must be an object."),
    "dict_type": T("Le champ {field} doit être un objet.", "The {field} field must be an object."),
    "model_attributes_type": T("Le corps de la requête doit être un objet JSON.", "The request body must be a JSON object."),
    "finite_number": T("Le champ {field} doit être un nombre fini.", "The {field} field must be a finite number."),
}
_FALLBACK = T("Le champ {field} est invalide.", "The {field} field is invalid.")


def error_messages(exc: ValidationError, *, root: str = "body") -> dict[str, list[str]]:
    """pydantic errors → {"field.path": ["message", …]} in the request's language."""
    errors: dict[str, list[str]] = {}
    lang = language()
    for err in exc.errors(include_url=False):
        field = ".".join(str(part) for part in err["loc"]) or root
        ctx: dict[str, Any] = dict(err.get("ctx") or {})
        if err["type"] == "bilingual":
            text = str(ctx.get(lang, err["msg"]))
        else:
            template = _MESSAGES.get(err["type"], _FALLBACK)
            try:
                text = template.render(field=field, **{k: v for k, v in ctx.items() if k != "field"})
            except (KeyError, IndexError):
                text = _FALLBACK.render(field=field)
        errors.setdefault(field, []).append(text)
    return errors


def patch_changes(body: BaseModel, nullable: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields a PATCH body names; null only for the `nullable` ones (clearing them), else ignored."""
    changes = body.model_dump(include=body.model_fields_set)
    return {k: v for k, v in changes.items() if v is not None or k in nullable}
