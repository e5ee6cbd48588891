"""The one place where HTTP meets the domain: parse, authenticate, call, render the envelope, convert errors."""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from chalice import Blueprint, Response
from pydantic import BaseModel, ValidationError

from chalicelib.core import i18n
from chalicelib.core.errors import (
    AppError,
    BadRequest,
    Conflict,
    InternalError,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    TxCancelled,
    UnsupportedMediaType,
    ValidationFailed,
)
from chalicelib.core.idempotency import IdempotencyClaim, IdempotentReplay, body_hash, set_idempotency_claim
from chalicelib.core.jsontext import JsonRejected, parse_json
from chalicelib.core.pagination import Page
from chalicelib.core.schemas import error_messages

MAX_BODY = 1024 * 1024
JSON_TYPE = "application/json; charset=utf-8"
# Chalice checks content types before our code runs; accept every common one and decide here.
ACCEPTED_CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded",
                          "multipart/form-data", "application/xml", "text/html", "application/octet-stream"]

log = logging.getLogger("catalog")
_JSON_REJECTED = {"too_deep": i18n.JSON_TOO_DEEP, "number": i18n.JSON_NUMBER}


@dataclass
class RouteSpec:
    """What the OpenAPI document and the per-route deployment know about a route."""

    method: str
    path: str
    name: str
    tag: str
    summary: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    public: bool
    permission: str | None
    idempotent: bool
    module: str
    many: bool = False
    has_message: bool = False  # the envelope carries `message`
    raw: bool = False  # the view answers its own body (no envelope): `response` describes that body
    paged: bool = False  # answers a Page (data + meta) without taking PageQuery (a bounded list in one page)
    creates: bool = False  # a PUT that may create its resource: 201 then, `status` otherwise (views return Answer)

    @property
    def paginated(self) -> bool:
        """The answer carries `meta`: the OpenAPI document and the renderer agree on this one property."""
        from chalicelib.core.pagination import PageQuery

        return self.paged or (self.query is not None and issubclass(self.query, PageQuery))


ROUTES: list[RouteSpec] = []


@dataclass
class Answer:
    """A view's result whose status is decided at run time: a PUT that may create its resource answers 201
    when it did, 200 when it replaced it (the route declares `creates=True`: both are documented)."""

    data: Any
    status: int


@dataclass
class Req:
    """What a view gets: the validated body and query, the caller, and the raw bits it may need."""

    principal: Any
    body: Any
    query: Any
    headers: Mapping[str, str]
    request_id: str
    client_ip: str
    path_params: dict[str, str] = field(default_factory=dict)
    raw_body: bytes = b""

    @property
    def if_match(self) -> str | None:
        return self.headers.get("if-match")


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


def route(
    bp: Blueprint,
    method: str,
    path: str,
    *,
    summary: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    public: bool = False,
    permission: str | None = None,
    message: i18n.T | None = None,
    replay: Callable[[str], Any] | None = None,
    many: bool = False,
    raw: bool = False,
    paged: bool = False,
    creates: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view on `bp` behind the shared pipeline; the view takes (req, **path_params).

    `permission` is checked before the view runs; `replay(resource_id)` renders a create again when a
    request repeats an Idempotency-Key (creates without it do not accept the header). `many=True`: the view
    returns a plain (unpaginated, bounded) list of `response`; `paged=True`: it returns a `Page` of `response`
    without taking a PageQuery (lists that always come whole, with `meta`). `raw=True`: the view returns its
    own Response (no envelope) whose body `response` describes. Without `response`, `data` is null (deletes,
    logout).
    """
    tag = path.strip("/").split("/")[0] or "root"

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        spec = RouteSpec(method, path, view.__name__, tag, summary, body, query, response, status, public,
                         permission, idempotent=replay is not None, module=view.__module__,
                         many=many, has_message=message is not None, raw=raw, paged=paged, creates=creates)
        ROUTES.append(spec)

        @functools.wraps(view)
        def chalice_view(**path_params: str) -> Response:
            return _handle(bp, spec, view, path_params, message, replay)

        bp.route(path, methods=[method], content_types=ACCEPTED_CONTENT_TYPES)(chalice_view)
        return view

    return decorator


Authenticate = Callable[[str | None, str | None], Any]  # (Authorization header, permission) → the principal
_authenticator: list[Authenticate] = []


def set_authenticator(authenticate: Authenticate) -> None:
    """Who the caller is and whether they hold the route's permission: the app gives identity's check here
    (`wiring.install`), so core imports no domain."""
    _authenticator[:] = [authenticate]


def _authenticate(authorization: str | None, permission: str | None) -> Any:
    if not _authenticator:
        raise RuntimeError("no authenticator installed: wiring.install(app, authenticate=...)")
    return _authenticator[0](authorization, permission)


def _handle(bp: Blueprint, spec: RouteSpec, view: Callable[..., Any], path_params: dict[str, str],
            message: i18n.T | None, replay: Callable[[str], Any] | None) -> Response:
    request = bp.current_request
    headers = request.headers
    req = Req(principal=None, body=None, query=None, headers=headers, path_params=path_params,
              request_id=current_request_id(), client_ip=client_ip(request))
    set_idempotency_claim(None)
    try:
        req.query = _parse_query(spec, request.query_params or {})
        if not spec.public:
            req.principal = _authenticate(headers.get("authorization"), spec.permission)
            _set_log_user(req.principal.user_id)
        raw = request.raw_body or b""
        req.raw_body = raw
        req.body = _parse_body(spec, headers, raw)
        key = headers.get("idempotency-key")
        if key and replay is not None:
            actor = req.principal.user_id if req.principal else f"ip:{req.client_ip}"
            set_idempotency_claim(IdempotencyClaim(actor, key[:200], body_hash(raw), f"{spec.method} {spec.path}"))
        try:
            result = view(req, **path_params)
        except IdempotentReplay as replayed:
            return _replay(spec, replayed.claim, replay, message)
        return _render(spec, req, result, message)
    except AppError as exc:
        return error_response(exc)
    except TxCancelled:
        return error_response(Conflict())
    except Exception as exc:  # noqa: BLE001 - the one place unexpected errors become the envelope
        return error_response(unexpected(exc, spec, req))
    finally:
        set_idempotency_claim(None)


def _parse_query(spec: RouteSpec, params: Mapping[str, str]) -> Any:
    if spec.query is None:
        return None
    try:
        return spec.query.model_validate(dict(params))
    except ValidationError as exc:
        raise ValidationFailed(errors=error_messages(exc, root="query")) from None


def _parse_body(spec: RouteSpec, headers: Mapping[str, str], raw: bytes) -> Any:
    if spec.method not in ("POST", "PUT", "PATCH"):
        return None
    if len(raw) > MAX_BODY:
        raise PayloadTooLarge()
    if spec.body is None:
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
        return spec.body.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(errors=error_messages(exc)) from None


def _render(spec: RouteSpec, req: Req, result: Any, message: i18n.T | None) -> Response:
    if isinstance(result, Response):
        return result
    status = spec.status
    if isinstance(result, Answer):
        result, status = result.data, result.status
    text = message.render() if message else None
    if isinstance(result, Page):
        if not spec.paginated:  # the document would describe another shape: a bug of the route's declaration
            raise TypeError(f"{spec.method} {spec.path} returns a Page but declares neither PageQuery nor paged")
        return json_response(envelope(dump(result.items), message=text, meta=result.meta), spec.status)
    data = dump(result)
    headers: dict[str, str] = {}
    if spec.method in ("GET", "PUT", "PATCH") or (spec.method == "POST" and spec.status == 201):
        if data is not None and not isinstance(data, list):
            headers["ETag"] = etag_of(data)
    if spec.method == "GET" and "ETag" in headers:
        wanted = [tag.strip() for tag in (req.headers.get("if-none-match") or "").split(",")]
        if headers["ETag"] in wanted or "*" in wanted:
            return Response(body="", status_code=304, headers=headers)
    return json_response(envelope(data, message=text), status, headers)


def _replay(spec: RouteSpec, claim: IdempotencyClaim, replay: Callable[[str], Any] | None,
            message: i18n.T | None) -> Response:
    from chalicelib.core import keys
    from chalicelib.core.tx import IdempotencyRecord

    try:
        record = IdempotencyRecord.get(*keys.idempotency_key(claim.actor_id, claim.key), consistent_read=True)
    except IdempotencyRecord.DoesNotExist:
        raise Conflict() from None
    if record.body_hash != claim.body_hash or record.route != claim.route:
        raise ValidationFailed(errors={"Idempotency-Key": [i18n.IDEMPOTENCY_MISMATCH.render()]})
    if replay is None or record.resource_id is None:
        raise NotFound()
    data = dump(replay(record.resource_id))
    return json_response(envelope(data, message=message.render() if message else None), spec.status,
                         {"ETag": etag_of(data), "Idempotent-Replayed": "true"})


_UNAVAILABLE_CODES = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
                      "InternalServerError", "ServiceUnavailable", "LimitExceededException", "SlowDown",
                      "TransactionInProgressException"}  # the same token still running: ask again later


def unexpected(exc: Exception, spec: RouteSpec, req: Req) -> AppError:
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


_log_user: ContextVar[str | None] = ContextVar("log_user", default=None)


def _set_log_user(user_id: str | None) -> None:
    _log_user.set(user_id)
