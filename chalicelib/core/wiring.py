"""App-wide wiring: the request middleware (log line, call meter, CORS, Chalice's own errors → envelope)
and the fallback routes (OPTIONS preflight on every path)."""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Callable

from chalice import Chalice, Response

from chalicelib.core import i18n, logs
from chalicelib.core.http import Authenticate, set_authenticator
from chalicelib.core.meter import ensure_metered, start_metering
from chalicelib.core.request import begin_request_id, client_ip, log_user
from chalicelib.core.responses import error_body, json_response
from chalicelib.core.settings import get_settings

log = logging.getLogger("catalog")

# Chalice answers some requests itself ({"Code", "Message"}); these give them our envelope.
_CHALICE_ERRORS: dict[int, i18n.T] = {
    400: i18n.BAD_REQUEST, 401: i18n.UNAUTHENTICATED, 403: i18n.FORBIDDEN, 404: i18n.ROUTE_NOT_FOUND,
    405: i18n.METHOD_NOT_ALLOWED, 413: i18n.TOO_LARGE, 415: i18n.UNSUPPORTED_MEDIA, 500: i18n.INTERNAL_ERROR,
}
CORS_HEADERS = "Authorization,Content-Type,Accept-Language,If-Match,If-None-Match,Idempotency-Key"
CORS_METHODS = "GET,POST,PUT,PATCH,DELETE,OPTIONS"
EXPOSED_HEADERS = "ETag,Retry-After,X-Request-Id,Idempotent-Replayed"
# On every answer, the API's own and the gateway's (infra/gateway.py): bodies are JSON, never sniffed as HTML;
# the API is HTTPS only in AWS (API Gateway has no plain-HTTP listener), so browsers may pin that for a year.
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff",
                    "Strict-Transport-Security": "max-age=31536000; includeSubDomains"}
# Who is asking (Authorization: roles decide what a list holds) and in which language (every message) shape
# the body of any answer; a shared cache must key on both.
VARY = ("Authorization", "Accept-Language")
PRIVATE = "no-store"  # tokens, personal data, anything an Authorization header unlocked, every error
PUBLIC_READ = "no-cache"  # anonymous GETs may be kept but are revalidated each time (ETag → 304 is cheap)


class CatalogApp(Chalice):
    """Chalice keeps the current request on the app object; `chalice local` serves requests on threads,
    so concurrent requests would see each other's. Here it is per thread (Lambda runs one at a time anyway)."""

    _local = threading.local()

    @property  # type: ignore[override]
    def current_request(self) -> Any:
        return getattr(self._local, "request", None)

    @current_request.setter
    def current_request(self, value: Any) -> None:
        self._local.request = value

    @property  # type: ignore[override]
    def lambda_context(self) -> Any:
        return getattr(self._local, "context", None)

    @lambda_context.setter
    def lambda_context(self, value: Any) -> None:
        self._local.context = value


def install(app: Chalice, *, authenticate: Authenticate | None = None) -> None:
    """Register the middleware and the preflight routes; call once, after every blueprint. `authenticate`
    checks the caller of every non-public route (identity's `authenticate_request`)."""
    if authenticate is not None:
        set_authenticator(authenticate)
    logs.configure(get_settings().log_level)  # the environment only: no AWS call at import
    app.debug = False  # never return tracebacks, even locally: errors are logged with the request id
    app.register_middleware(_request_middleware, "http")
    _install_preflight(app)


def _request_middleware(event: Any, get_response: Callable[[Any], Response]) -> Response:
    started = time.perf_counter()
    request_id = begin_request_id(event)
    calls = start_metering()
    log_user.set(None)
    headers = event.headers or {}
    i18n.set_language(headers.get("accept-language"))
    try:
        ensure_metered()
    except Exception:  # noqa: BLE001 - metering must never break a request
        log.warning("could not install the DynamoDB call meter")
    response = get_response(event)
    response = _envelope_chalice_errors(response)
    _add_cache_headers(event, response)
    _add_cors(headers.get("origin"), response)
    response.headers["X-Request-Id"] = request_id
    if get_settings().ddb_calls_header:  # opt-in (tests, benchmarks): the count leaks what a request touched
        response.headers["X-DynamoDB-Calls"] = str(len(calls))
    log.info("request", extra={
        "request_id": request_id, "method": event.method, "route": (event.context or {}).get("resourcePath"),
        "path": event.path, "status": response.status_code, "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "user_id": log_user.get(), "ddb_calls": len(calls), "ddb_ops": calls, "ip": client_ip(event),
    })
    return response


def _envelope_chalice_errors(response: Response) -> Response:
    if response.status_code < 400 or not isinstance(response.body, (str, bytes, dict)):
        return response
    body = response.body
    if isinstance(body, (str, bytes)):
        try:
            body = json.loads(body)
        except (ValueError, TypeError):
            return response
    if isinstance(body, dict) and "Code" in body and "success" not in body:
        message = _CHALICE_ERRORS.get(response.status_code, i18n.INTERNAL_ERROR)
        headers = {k: v for k, v in response.headers.items() if k.lower() not in ("content-type", "content-length")}
        return json_response(error_body(message.render()), response.status_code, headers)
    return response


def _add_cache_headers(event: Any, response: Response) -> None:
    """Security headers everywhere; no-store unless an anonymous GET succeeded (then no-cache); Vary."""
    headers = event.headers or {}
    response.headers.update(SECURITY_HEADERS)
    anonymous_read = event.method in ("GET", "HEAD") and not headers.get("authorization")
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = PUBLIC_READ if anonymous_read and response.status_code < 400 else PRIVATE
    _vary(response, *VARY)


def _vary(response: Response, *names: str) -> None:
    present = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
    response.headers["Vary"] = ", ".join(present + [n for n in names if n not in present])


def _add_cors(origin: str | None, response: Response) -> None:
    if origin and origin in get_settings().cors_origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        _vary(response, "Origin")


def _install_preflight(app: Chalice) -> None:
    """An OPTIONS route on every path: origins come from configuration, so the answer is computed."""

    def preflight(**_: str) -> Response:
        return Response(body="", status_code=204, headers={
            "Access-Control-Allow-Methods": CORS_METHODS, "Access-Control-Allow-Headers": CORS_HEADERS,
            "Access-Control-Max-Age": "600"})

    for path, methods in list(app.routes.items()):
        if "OPTIONS" not in methods:
            app.route(path, methods=["OPTIONS"], name=f"preflight_{len(app.routes)}")(preflight)
