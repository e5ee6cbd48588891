"""Base pydantic classes and bilingual validation messages shared by every domain."""
from __future__ import annotations

import re
import typing
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from chalicelib.core.i18n import T, language

# defer_build: a schema is compiled on first use, not at import (cold start pays only for routes it runs).
_BASE = {"defer_build": True, "str_strip_whitespace": True}


class Input(BaseModel):
    """What comes in: unknown fields are refused (no mass assignment), and every string of every field (lists
    included; nested models check their own) is NFKC-normalised and refused when it holds an invisible or
    control character (see `clean_text`). Fields marked `VERBATIM` (passwords) are taken byte for byte,
    fields marked `MULTILINE` (descriptions) may also hold line breaks and tabs. Strict: a JSON value of another
    type is refused ("5" is not an integer, "true" not a boolean), as the published schema says."""

    model_config = ConfigDict(extra="forbid", strict=True, **_BASE)  # type: ignore[typeddict-item]

    @model_validator(mode="before")
    @classmethod
    def _clean_strings(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        errors: list[InitErrorDetails] = []
        cleaned = dict(data)
        for name, value in data.items():
            field = cls.model_fields.get(name) if isinstance(name, str) else None
            if field is None:
                continue  # unknown fields are refused by extra="forbid"
            markers = _markers(field.metadata, field.annotation)
            if VERBATIM not in markers:
                cleaned[name] = _clean_value(value, (name,), MULTILINE in markers, errors)
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return cleaned


class Query(BaseModel):
    """Query-string parameters: unknown ones are ignored, values arrive as strings."""

    model_config = ConfigDict(extra="ignore", **_BASE)  # type: ignore[typeddict-item]


class Output(BaseModel):
    """What goes out."""

    model_config = ConfigDict(extra="ignore", from_attributes=True, **_BASE)  # type: ignore[typeddict-item]


def _omit_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def patch_field(**constraints: Any) -> Any:
    """A PATCH field that may be left out but never sent as null: annotate it with its non-null type
    (`name: Name = patch_field()`), so `null` is a 422 on that field, and the published schema (no null, no
    default) says exactly that. Fields a client may clear keep `X | None = None`."""
    return Field(default=None, json_schema_extra=_omit_default, **constraints)


def invalid(message: T, **params: object) -> PydanticCustomError:
    """A validation error with a French and an English message, for use inside validators."""
    return PydanticCustomError("bilingual", message.en, {"fr": message.fr, "en": message.en, **params})


# --- text: one normal form, nothing invisible -----------------------------------------------------
class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


VERBATIM = _Marker("VERBATIM")  # Annotated[str, VERBATIM]: not normalised (passwords are compared byte for byte)
MULTILINE = _Marker("MULTILINE")  # Annotated[str, MULTILINE]: line breaks and tabs allowed (descriptions)

# Cc control, Cf format (U+200B zero width space, U+202E right-to-left override, U+FEFF, ZWJ/ZWNJ), Cs lone
# surrogates (JSON's "\ud800" decodes to one; DynamoDB cannot store it), Co private use, Cn unassigned, Zl/Zp
# line and paragraph separators; plus the Hangul fillers, letters that render as nothing.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
TEXT_INVISIBLE = T("Le champ {field} contient un caractère invisible ou de contrôle.",
                   "The {field} field contains an invisible or control character.")


def clean_text(value: str, *, multiline: bool = False) -> str | None:
    """NFKC form of `value`, or None when it holds a refused character (see _REFUSED_CATEGORIES); with
    `multiline`, line breaks (CRLF and CR become LF) and tabs are allowed."""
    value = unicodedata.normalize("NFKC", value)
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    for char in value:
        if multiline and char in "\n\t":
            continue
        if char in _INVISIBLE_LETTERS or unicodedata.category(char) in _REFUSED_CATEGORIES:
            return None
    return value


def _markers(metadata: list[Any], annotation: Any) -> set[_Marker]:
    """The text markers of a field, also when they sit inside `X | None` or `list[X]`."""
    found = {m for m in metadata if isinstance(m, _Marker)}
    stack = [annotation]
    while stack:
        current = stack.pop()
        found.update(m for m in getattr(current, "__metadata__", ()) if isinstance(m, _Marker))
        stack.extend(typing.get_args(current))
    return found


def _clean_value(value: Any, loc: tuple[str | int, ...], multiline: bool, errors: list[InitErrorDetails]) -> Any:
    if isinstance(value, str):
        cleaned = clean_text(value, multiline=multiline)
        if cleaned is None:
            field = ".".join(str(part) for part in loc)
            message = T(TEXT_INVISIBLE.fr.format(field=field), TEXT_INVISIBLE.en.format(field=field))
            errors.append(InitErrorDetails(type=invalid(message), loc=loc, input=value))
        return cleaned
    if isinstance(value, list):
        return [_clean_value(item, (*loc, n), multiline, errors) for n, item in enumerate(value)]
    return value


# --- common field types --------------------------------------------------------------------------
EMAIL_INVALID = T("L'adresse e-mail n'est pas valide.", "The e-mail address is not valid.")
_LOCAL_PART = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LDH_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_SCRIPT_GROUPS = ({"HIRAGANA", "KATAKANA", "CJK"},)  # scripts one label may legitimately mix (Japanese)


def _scripts(label: str) -> set[str]:
    """The scripts of a label's letters, by the first word of their Unicode names (LATIN, CYRILLIC, GREEK…)."""
    return {unicodedata.name(c, "UNKNOWN").split()[0] for c in label if c.isalpha()}


def _domain(domain: str) -> str | None:
    """The domain in ASCII (IDNA A-labels), or None when it is not a plausible, single-script host name."""
    labels = domain.split(".")
    if len(labels) < 2:
        return None
    ascii_labels = []
    for label in labels:
        try:
            unicode_label = label.encode("ascii").decode("idna") if label.isascii() else label
            ascii_label = unicode_label.encode("idna").decode("ascii").lower()
        except (UnicodeError, ValueError):
            return None
        scripts = _scripts(unicode_label)
        if len(scripts) > 1 and not any(scripts <= group for group in _SCRIPT_GROUPS):
            return None  # a label mixing scripts (Latin + Cyrillic "exаmple") is a look-alike
        if not _LDH_LABEL.match(ascii_label):
            return None
        ascii_labels.append(ascii_label)
    tld = ascii_labels[-1]
    if not (tld.isalpha() and len(tld) >= 2) and not tld.startswith("xn--"):
        return None
    result = ".".join(ascii_labels)
    return result if len(result) <= 253 else None


def _email(value: str) -> str:
    """The rule (docs/decisions.md): an ASCII dot-atom local part; a domain of LDH labels, where international
    labels are single-script and stored as their IDNA A-label (`xn--…`), so one mailbox has one spelling."""
    value = value.strip().lower()
    local, at, domain = value.rpartition("@")
    ascii_domain = _domain(domain) if at and local else None
    if ascii_domain is None or not local.isascii() or len(local) > 64 or not _LOCAL_PART.match(local):
        raise invalid(EMAIL_INVALID)
    value = f"{local}@{ascii_domain}"
    if len(value) > 254:
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
NULL_REFUSED = T("Le champ {field} ne peut pas être nul.", "The {field} field cannot be null.")
_FALLBACK = T("Le champ {field} est invalide.", "The {field} field is invalid.")


def error_messages(exc: ValidationError, *, root: str = "body") -> dict[str, list[str]]:
    """pydantic errors → {"field.path": ["message", …]} in the request's language."""
    errors: dict[str, list[str]] = {}
    lang = language()
    for err in exc.errors(include_url=False):
        field = ".".join(str(part) for part in err["loc"]) or root
        ctx: dict[str, Any] = dict(err.get("ctx") or {})
        if err.get("input", ...) is None and err["type"].endswith("_type"):
            text = NULL_REFUSED.render(field=field)  # patch_field(): null on a field that cannot be cleared
        elif err["type"] == "bilingual":
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
