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


_env_lock = threading.Lock()
_env_state: dict[str, Any] = {"depth": 0, "original": None}


def make_chalice_test_client_thread_safe() -> None:
    """chalice.test's client swaps `os.environ` for a patched copy around each request and puts back what it
    saw; two threads interleaving leave a copy behind for good (e.g. TABLE_NAME from .chalice/config.json,
    which breaks every later test). Here the first request in swaps and the last one out restores."""
    from contextlib import contextmanager
    import os

    from chalice.test import BaseClient

    if getattr(BaseClient, "_env_thread_safe", False):
        return

    @contextmanager
    def patched_env_vars(self: Any, environment_variables: dict[str, str]) -> Any:
        with _env_lock:
            if _env_state["depth"] == 0:
                _env_state["original"] = os.environ
                patched = os.environ.copy()
                patched.update(environment_variables)
                os.environ = patched  # type: ignore[assignment]
            _env_state["depth"] += 1
        try:
            yield
        finally:
            with _env_lock:
                _env_state["depth"] -= 1
                if _env_state["depth"] == 0:
                    os.environ = _env_state["original"]

    BaseClient._patched_env_vars = patched_env_vars  # type: ignore[method-assign]
    BaseClient._env_thread_safe = True  # type: ignore[attr-defined]
