"""French by default, English on `Accept-Language: en`: the message catalogue helpers."""
from __future__ import annotations

from contextvars import ContextVar
from typing import NamedTuple

_lang: ContextVar[str] = ContextVar("lang", default="fr")


class T(NamedTuple):
    """A message in both languages; `str.format` placeholders allowed."""

    fr: str
    en: str

    def render(self, **params: object) -> str:
        text = self.en if _lang.get() == "en" else self.fr
        return text.format(**params) if params else text


def set_language(accept_language: str | None) -> None:
    """Pick the response language from an Accept-Language header."""
    lang = "fr"
    if accept_language:
        first = accept_language.split(",")[0].strip().lower()
        if first.startswith("en"):
            lang = "en"
    _lang.set(lang)


def language() -> str:
    return _lang.get()


# Messages of the shared machinery.
VALIDATION_FAILED = T("Validation échouée", "Validation failed")
NOT_FOUND = T("Ressource non trouvée", "Resource not found")
ROUTE_NOT_FOUND = T("Route introuvable", "Route not found")
METHOD_NOT_ALLOWED = T("Méthode non autorisée", "Method not allowed")
MALFORMED_JSON = T("Le corps de la requête n'est pas un JSON valide", "The request body is not valid JSON")
JSON_TOO_DEEP = T("Le corps de la requête est imbriqué trop profondément (32 niveaux au plus)",
                  "The request body is nested too deeply (32 levels at most)")
JSON_NUMBER = T("Le corps de la requête contient un nombre hors limites (40 caractères au plus, fini)",
                "The request body holds a number out of bounds (40 characters at most, finite)")
UNSUPPORTED_MEDIA = T("Type de contenu non supporté : utilisez application/json", "Unsupported content type: use application/json")
TOO_LARGE = T("Le corps de la requête dépasse 1 Mio", "The request body exceeds 1 MiB")
UNAUTHENTICATED = T("Non authentifié", "Unauthenticated")
FORBIDDEN = T("Action non autorisée", "This action is unauthorized")
CONFLICT = T("Conflit avec l'état actuel de la ressource", "Conflict with the current state of the resource")
PRECONDITION_FAILED = T("La ressource a changé depuis votre dernière lecture", "The resource changed since you last read it")
RATE_LIMITED = T("Trop de tentatives, réessayez plus tard", "Too many attempts, try again later")
INTERNAL_ERROR = T("Erreur interne du serveur", "Internal server error")
UNAVAILABLE = T("Service temporairement indisponible, réessayez", "Service temporarily unavailable, try again")
BAD_REQUEST = T("Requête invalide", "Bad request")
INVALID_CURSOR = T("Curseur de pagination invalide.", "Invalid pagination cursor.")
IDEMPOTENCY_MISMATCH = T(
    "Cette clé d'idempotence a déjà servi pour une autre requête.",
    "This idempotency key was already used for a different request.",
)
