"""Making the local stand-ins behave like the AWS services they replace (dev and test only, never deployed)."""
from __future__ import annotations

import threading
from typing import Any

from infra.gateway import route_not_found


def patch_local_gateway() -> None:
    """chalice's LocalGateway answers unknown paths with the 404 envelope in the request's language, and its
    HTTP server hands every method to the app (so TRACE, PROPFIND… get the app's 405 envelope with Allow,
    where http.server would answer a 501 HTML page for any method without a do_<METHOD>)."""
    from chalice import local

    if getattr(local.LocalGateway, "_envelope_patched", False):
        return
    original = local.LocalGateway.handle_request

    def handle_request(self: Any, method: str, path: str, headers: Any, body: Any) -> Any:
        try:
            return original(self, method, path, headers, body)
        except local.ForbiddenError:
            language = next((v for k, v in headers.items() if k.lower() == "accept-language"), None)
            return route_not_found(language)

    def any_method(self: Any, name: str) -> Any:
        if name.startswith("do_"):
            return self._generic_handle
        raise AttributeError(name)

    local.LocalGateway.handle_request = handle_request  # type: ignore[method-assign]
    local.ChaliceRequestHandler.__getattr__ = any_method  # type: ignore[attr-defined]
    local.LocalGateway._envelope_patched = True  # type: ignore[attr-defined]


_moto_lock = threading.RLock()


def make_moto_dynamodb_atomic() -> None:
    """DynamoDB applies each request atomically; moto does not lock, so concurrent requests could both
    pass a condition. Serialising moto's DynamoDB handler restores the guarantee our concurrency tests rely on."""
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler, "_atomic_patched", False):
        return
    original = DynamoHandler.call_action

    def call_action(self: Any) -> Any:
        with _moto_lock:
            return original(self)

    DynamoHandler.call_action = call_action  # type: ignore[method-assign]
    DynamoHandler._atomic_patched = True  # type: ignore[attr-defined]
