"""Making the local stand-ins behave like the AWS services they replace (dev and test only, never deployed)."""
from __future__ import annotations

import json
import threading
from typing import Any

from infra.gateway import ROUTE_NOT_FOUND


def patch_local_gateway() -> None:
    """chalice's LocalGateway answers unknown paths like the deployed gateway does (404 envelope)."""
    from chalice import local

    if getattr(local.LocalGateway, "_envelope_patched", False):
        return
    original = local.LocalGateway.handle_request

    def handle_request(self: Any, method: str, path: str, headers: Any, body: Any) -> Any:
        try:
            return original(self, method, path, headers, body)
        except local.ForbiddenError:
            return {"statusCode": 404, "headers": {"Content-Type": "application/json; charset=utf-8"},
                    "multiValueHeaders": {}, "body": json.dumps(ROUTE_NOT_FOUND, ensure_ascii=False)}

    local.LocalGateway.handle_request = handle_request  # type: ignore[method-assign]
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
