"""Rendering an answer: the envelope, error bodies, ETags, and what an unexpected exception becomes."""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Mapping

from chalice import Response
from pydantic import BaseModel

from chalicelib.core.errors import AppError, InternalError, ServiceUnavailable

log = logging.getLogger("catalog")
JSON_TYPE = "application/json; charset=utf-8"


def envelope(data: Any = None, *, message: str | None = None, meta: dict | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"success": True, "data": data}
    if message:
        body["message"] = message
    if meta is not None:
        body["meta"] = meta
    return body


def error_body(error: str, errors: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"success": False, "error": error}
    if errors:
        body["errors"] = dict(errors)
    return body


def json_response(body: Any, status: int, headers: Mapping[str, str] | None = None) -> Response:
    return Response(body=json.dumps(body, ensure_ascii=False, default=str), status_code=status,
                    headers={"Content-Type": JSON_TYPE, **(headers or {})})


def error_response(exc: AppError) -> Response:
    return json_response(error_body(exc.render(), exc.errors), exc.status, exc.headers)


def etag_of(data: Any) -> str:
    """Hash of the representation's state. Signed download links (`url`) are left out: they are re-signed on
    every read, so including them would change the ETag every second without the resource changing."""
    digest = hashlib.sha256(json.dumps(_without_links(data), sort_keys=True, default=str).encode()).hexdigest()[:32]
    return f'"{digest}"'


def _without_links(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_links(v) for k, v in data.items() if k != "url"}
    if isinstance(data, list):
        return [_without_links(v) for v in data]
    return data


def dump(value: Any) -> Any:
    """Models, lists of models and plain data → JSON-ready data."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (list, tuple)):
        return [dump(v) for v in value]
    return value


_UNAVAILABLE_CODES = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
                      "InternalServerError", "ServiceUnavailable", "LimitExceededException", "SlowDown",
                      "TransactionInProgressException"}  # the same token still running: ask again later


def unexpected(exc: Exception, spec: Any, req: Any) -> AppError:
    """Backend throttling or unreachable → 503 with Retry-After; anything else → 500, logged with context."""
    from botocore.exceptions import BotoCoreError, ClientError

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ClientError) and cause.response.get("Error", {}).get("Code") in _UNAVAILABLE_CODES:
            break
        if isinstance(cause, BotoCoreError):
            break
        code = getattr(cause, "cause_response_code", None)
        if code in _UNAVAILABLE_CODES:
            break
        cause = getattr(cause, "cause", None) or cause.__cause__
    if cause is not None:
        log.warning("backend unavailable", extra={"request_id": req.request_id, "route": f"{spec.method} {spec.path}",
                                                  "error": type(cause).__name__})
        return ServiceUnavailable(retry_after=1)
    log.error("unhandled error", exc_info=exc, extra={"request_id": req.request_id,
                                                      "route": f"{spec.method} {spec.path}",
                                                      "user_id": getattr(req.principal, "user_id", None)})
    return InternalError()
