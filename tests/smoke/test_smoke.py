"""Smoke: every stack of tests/smoke/conftest.py, over real HTTP: health, envelope on unknown routes, OpenAPI."""
from __future__ import annotations

import requests

TIMEOUT = 60  # on the deployed stack a function's first call starts its process


def test_health_over_http(stack):
    reply = requests.get(f"{stack.url}/health", timeout=TIMEOUT)
    assert reply.status_code == 200
    assert reply.json()["data"]["status"] == "ok"
    assert reply.headers["X-Request-Id"]


def test_unknown_path_is_a_404_envelope_over_http(stack):
    reply = requests.get(f"{stack.url}/does/not/exist", timeout=TIMEOUT)
    assert reply.status_code == 404
    assert reply.json() == {"success": False, "error": "Route introuvable"}


def test_openapi_over_http(stack):
    reply = requests.get(f"{stack.url}/openapi.json", timeout=TIMEOUT)
    assert reply.status_code == 200
    assert reply.json()["openapi"].startswith("3.1")


def test_undeclared_methods_are_a_405_envelope_over_http(stack):
    for method, path in (("TRACE", "/health"), ("PROPFIND", "/products"), ("TRACE", "/products/x/options")):
        reply = requests.request(method, f"{stack.url}{path}", timeout=5)
        assert reply.status_code == 405, (method, path, reply.status_code, reply.text[:200])
        assert reply.json()["success"] is False and reply.headers["Allow"]
        assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_path_follows_accept_language_over_http(stack):
    reply = requests.get(f"{stack.url}/does/not/exist", headers={"Accept-Language": "en"}, timeout=5)
    assert reply.status_code == 404
    assert reply.json() == {"success": False, "error": "Route not found"}
