"""Reading a request: its query and body parsed and validated, and the facts the middleware and the log share
(request id, client IP, the caller's id)."""
from __future__ import annotations

import uuid
from contextvars import ContextVar
from typing import Any, Mapping

from pydantic import BaseModel, ValidationError

from chalicelib.core import i18n
from chalicelib.core.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from chalicelib.core.jsontext import JsonRejected, parse_json
from chalicelib.core.schemas import error_messages

MAX_BODY = 1024 * 1024
# Chalice checks content types before our code runs; accept every common one and decide here.
ACCEPTED_CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded",
                          "multipart/form-data", "application/xml", "text/html", "application/octet-stream"]

_JSON_REJECTED = {"too_deep": i18n.JSON_TOO_DEEP, "number": i18n.JSON_NUMBER}


def parse_query(model: type[BaseModel] | None, params: Mapping[str, str]) -> Any:
    """The query string validated by the route's `query=` model (None without one); 422 per parameter."""
    if model is None:
        return None
    try:
        return model.model_validate(dict(params))
    except ValidationError as exc:
        raise ValidationFailed(errors=error_messages(exc, root="query")) from None


def parse_body(method: str, model: type[BaseModel] | None, headers: Mapping[str, str], raw: bytes) -> Any:
    """The body validated by the route's `body=` model: 413 past 1 MiB, 415 non-JSON, 400 malformed or out of
    bounds, 422 per field."""
    if method not in ("POST", "PUT", "PATCH"):
        return None
    if len(raw) > MAX_BODY:
        raise PayloadTooLarge()
    if model is None:
        return None
    content_type = (headers.get("content-type") or "application/json").split(";")[0].strip().lower()
    if raw and content_type != "application/json" and not content_type.endswith("+json"):
        raise UnsupportedMediaType()
    try:
        data = parse_json(raw) if raw.strip() else {}
    except JsonRejected as exc:
        raise BadRequest(_JSON_REJECTED.get(exc.reason, i18n.MALFORMED_JSON)) from None
    if not isinstance(data, dict):
        raise ValidationFailed(errors={"body": [i18n.T("Le corps de la requête doit être un objet JSON.",
                                                        "The request body must be a JSON object.").render()]})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(errors=error_messages(exc)) from None


# --- request facts shared with the middleware ----------------------------------------------------
_request_id: ContextVar[str] = ContextVar("request_id", default="-")


def begin_request_id(request: Any) -> str:
    """API Gateway's request id when there is one, else a fresh one; logged and sent as X-Request-Id."""
    context = getattr(request, "context", None) or {}
    value = str(context.get("requestId") or context.get("extendedRequestId") or "") or uuid.uuid4().hex
    _request_id.set(value)
    return value


def current_request_id() -> str:
    """The id of the request being handled (set by the request middleware)."""
    return _request_id.get()


def client_ip(request: Any) -> str:
    context = getattr(request, "context", None) or {}
    return str((context.get("identity") or {}).get("sourceIp") or "0.0.0.0")


log_user: ContextVar[str | None] = ContextVar("log_user", default=None)


def set_log_user(user_id: str | None) -> None:
    log_user.set(user_id)
