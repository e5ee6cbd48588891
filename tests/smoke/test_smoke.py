"""Smoke: every stack of tests/smoke/conftest.py, over real HTTP: health, envelope on unknown routes, OpenAPI,
many clients at once (the local server)."""
from __future__ import annotations

import socket
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
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


@pytest.mark.only_stack("local")  # API Gateway's own 404 cannot read a header: French there (docs/decisions.md)
def test_unknown_path_follows_accept_language_over_http(stack):
    reply = requests.get(f"{stack.url}/does/not/exist", headers={"Accept-Language": "en"}, timeout=5)
    assert reply.status_code == 404
    assert reply.json() == {"success": False, "error": "Route not found"}


def _exchange(url: str, request: bytes, start: threading.Barrier, connected: threading.Barrier) -> str:
    """Connect (all clients at once), wait for every other client to be connected too, send `request`, return the
    status line. A connection the server's listen queue had no room for waits for the kernel's SYN retry (1 s),
    and under load is reset: the 0.9 s connect timeout catches it either way."""
    host, port = url.removeprefix("http://").split(":")
    start.wait(timeout=60)
    try:
        sock = socket.create_connection((host, int(port)), timeout=0.9)
    except OSError as exc:
        connected.abort()
        return f"no connection: {exc!r}"
    with sock:
        sock.settimeout(60)
        try:
            connected.wait(timeout=60)
        except threading.BrokenBarrierError:
            return "another client got no connection"
        sock.sendall(request)
        if not request.endswith(b"\r\n\r\n"):
            return "sent half a request"  # and hang up: that connection's failure is its own
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                return "closed without an answer"
            answer += chunk
        return answer.split(b"\r\n", 1)[0].decode()


@pytest.mark.only_stack("local")  # the server `make run` starts: its backlog and threads
def test_160_connections_at_once_each_get_an_answer_while_broken_ones_fail_alone(stack):
    good = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    broken = b"POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"em"
    requests_ = [good] * 140 + [broken] * 20
    start, connected = threading.Barrier(len(requests_)), threading.Barrier(len(requests_))
    with ThreadPoolExecutor(len(requests_)) as pool:
        answers = list(pool.map(lambda r: _exchange(stack.url, r, start, connected), requests_))
    assert Counter(answers[:140]) == {"HTTP/1.1 200 OK": 140}  # no reset, no wait, none held up by the broken ones
    assert requests.get(f"{stack.url}/health", timeout=5).status_code == 200
