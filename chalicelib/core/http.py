"""The one place where HTTP meets the domain: the route(...) decorator and its pipeline (parse, authenticate,
call, render the envelope, convert errors). Parsing a request: core.request; rendering an answer: core.responses."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from chalice import Blueprint, Response
from pydantic import BaseModel

from chalicelib.core import i18n
from chalicelib.core.errors import AppError, Conflict, NotFound, TxCancelled, ValidationFailed
from chalicelib.core.idempotency import IdempotencyClaim, IdempotentReplay, body_hash, set_idempotency_claim
from chalicelib.core.keys import Key
from chalicelib.core.pagination import Page
from chalicelib.core.request import (
    ACCEPTED_CONTENT_TYPES,
    client_ip,
    current_request_id,
    parse_body,
    parse_query,
    set_log_user,
)
from chalicelib.core.responses import dump, envelope, error_response, etag_of, json_response, unexpected
from chalicelib.core.schemas import patch_changes

Reads = Callable[[Mapping[str, str], str], list[Key]]  # (path params, caller's user id) → keys the view reads


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
    found: Mapping[Key, Any] = field(default_factory=dict)  # the route's `reads`, by key

    @property
    def if_match(self) -> str | None:
        return self.headers.get("if-match")


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
    reads: Reads | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a view on `bp` behind the shared pipeline; the view takes (req, **path_params).

    `permission` is checked before the view runs; `replay(resource_id)` renders a create again when a
    request repeats an Idempotency-Key (creates without it do not accept the header). `many=True`: the view
    returns a plain (unpaginated, bounded) list of `response`; `paged=True`: it returns a `Page` of `response`
    without taking a PageQuery (lists that always come whole, with `meta`). `raw=True`: the view returns its
    own Response (no envelope) whose body `response` describes. Without `response`, `data` is null (deletes,
    logout). `reads(path_params, user_id)`: the keys the view reads first, fetched in the BatchGetItem that
    authenticates the caller (no call of their own) and handed to the view as `req.found`; not on public routes.
    """
    if reads is not None and public:
        raise TypeError(f"{method} {path}: `reads` rides on the authentication's read, a public route has none")
    tag = path.strip("/").split("/")[0] or "root"

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        spec = RouteSpec(method, path, view.__name__, tag, summary, body, query, response, status, public,
                         permission, idempotent=replay is not None, module=view.__module__,
                         many=many, has_message=message is not None, raw=raw, paged=paged, creates=creates)
        ROUTES.append(spec)

        @functools.wraps(view)
        def chalice_view(**path_params: str) -> Response:
            return _handle(bp, spec, view, path_params, message, replay, reads)

        bp.route(path, methods=[method], content_types=ACCEPTED_CONTENT_TYPES)(chalice_view)
        return view

    return decorator


def update_routes(bp: Blueprint, path: str, *, module: str, name: str, noun: str, put: type[BaseModel],
                  patch: type[BaseModel], response: type[BaseModel], permission: str, message: i18n.T,
                  update: Callable[[Req, str, dict[str, Any]], Any], nullable: tuple[str, ...] = ()) -> None:
    """PUT `path` (replace: every field of `put`) and PATCH `path` (the fields the body names; `nullable`
    ones may be null to clear them) of one resource, both answering `update(req, resource_id, changes)`.
    The views are `replace_<name>` and `patch_<name>` of `module` (operation ids, per-route functions)."""

    def replace(req: Req, **ids: str) -> Any:
        return update(req, *ids.values(), req.body.model_dump())

    def partial(req: Req, **ids: str) -> Any:
        return update(req, *ids.values(), patch_changes(req.body, nullable=nullable))

    for view, verb in ((replace, "replace"), (partial, "patch")):
        view.__name__ = view.__qualname__ = f"{verb}_{name}"
        view.__module__ = module
    route(bp, "PUT", path, summary=f"Replace {noun}", body=put, response=response, permission=permission,
          message=message)(replace)
    route(bp, "PATCH", path, summary=f"Update some fields of {noun}", body=patch, response=response,
          permission=permission, message=message)(partial)


# (Authorization header, permission, keys to read alongside given the user id) → (the principal, what was read)
Authenticate = Callable[[str | None, str | None, Callable[[str], list[Key]] | None], tuple[Any, Mapping[Key, Any]]]
_authenticator: list[Authenticate] = []


def set_authenticator(authenticate: Authenticate) -> None:
    """Who the caller is and whether they hold the route's permission: the app gives identity's check here
    (`wiring.install`), so core imports no domain."""
    _authenticator[:] = [authenticate]


def _authenticate(authorization: str | None, permission: str | None,
                  also: Callable[[str], list[Key]] | None) -> tuple[Any, Mapping[Key, Any]]:
    if not _authenticator:
        raise RuntimeError("no authenticator installed: wiring.install(app, authenticate=...)")
    return _authenticator[0](authorization, permission, also)


def _handle(bp: Blueprint, spec: RouteSpec, view: Callable[..., Any], path_params: dict[str, str],
            message: i18n.T | None, replay: Callable[[str], Any] | None, reads: Reads | None) -> Response:
    request = bp.current_request
    headers = request.headers
    req = Req(principal=None, body=None, query=None, headers=headers, path_params=path_params,
              request_id=current_request_id(), client_ip=client_ip(request))
    set_idempotency_claim(None)
    try:
        req.query = parse_query(spec.query, request.query_params or {})
        if not spec.public:
            also = (lambda user_id: reads(path_params, user_id)) if reads else None
            req.principal, req.found = _authenticate(headers.get("authorization"), spec.permission, also)
            set_log_user(req.principal.user_id)
        raw = request.raw_body or b""
        req.raw_body = raw
        req.body = parse_body(spec.method, spec.body, headers, raw)
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


