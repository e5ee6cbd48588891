"""The shared machinery seen from a client: envelope, status codes, health, OpenAPI, languages."""
from __future__ import annotations


def test_health_answers_ok(api):
    reply = api.get("/health")
    assert reply.status == 200
    assert reply.json == {"success": True, "data": {"status": "ok", "table": "reachable"}}


def test_unknown_route_is_404_in_the_envelope(api):
    reply = api.get("/nope/nothing")
    assert reply.status == 404
    assert reply.json["success"] is False
    assert reply.json["error"]


def test_wrong_method_is_405_in_the_envelope(api):
    reply = api.request("DELETE", "/health")
    assert reply.status == 405
    assert reply.json["success"] is False
    assert "GET" in reply.headers.get("allow", "")
