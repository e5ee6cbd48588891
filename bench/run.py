"""One run, every figure: DynamoDB calls per route (X-DynamoDB-Calls), HTTP latency of a product read and a
product list page next to the raw boto3 calls those requests make, and cold start per route.

    python bench/run.py [--requests 200] [--cold-runs 3] [--no-cold]
    scripts/dynamodb_local.sh run -- python bench/run.py --no-cold     # DynamoDB on DynamoDB Local

The `make run` stack (scripts/local_stack.py) is started on free ports with its DynamoDB behind a small
recording proxy in front of an embedded moto server. One request of each measured route is recorded at the
proxy; its exact DynamoDB requests are then replayed with a plain boto3 client through the same proxy, so both
sides pay the same hops and the ratio is the API's own overhead (HTTP, chalice, pydantic, PynamoDB, auth).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live import free_port  # noqa: E402


class RecordingProxy:
    """Forwards DynamoDB's JSON protocol to the stand-in, keeping (operation, body) while recording is on."""

    def __init__(self, target_port: int) -> None:
        self.recording: list[tuple[str, dict[str, Any]]] | None = None
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body leave in two writes: without NODELAY, Nagle + delayed ACK add ~40 ms a call.
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                target = self.headers.get("X-Amz-Target", "")
                if proxy.recording is not None and target.startswith("DynamoDB_"):
                    proxy.recording.append((target.split(".", 1)[1], json.loads(body or b"{}")))
                upstream = http.client.HTTPConnection("127.0.0.1", target_port, timeout=30)
                upstream.connect()
                upstream.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                upstream.request("POST", self.path, body, {k: v for k, v in self.headers.items()})
                reply = upstream.getresponse()
                data = reply.read()
                self.send_response(reply.status)
                for key, value in reply.getheaders():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                upstream.close()

            def log_message(self, *_: Any) -> None:
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def start(extra: dict[str, str]) -> tuple[Any, RecordingProxy, subprocess.Popen, str]:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    aws_port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=aws_port, verbose=False)
    moto.start()
    # Under `scripts/dynamodb_local.sh run -- python bench/run.py`, DynamoDB is AWS's DynamoDB Local instead.
    external = os.environ.get("TEST_DYNAMODB_ENDPOINT")
    proxy = RecordingProxy(int(external.rsplit(":", 1)[1].strip("/")) if external else aws_port)
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_ENDPOINT_URL", "STAGE", "TABLE_NAME", "BUCKET_NAME", "JWT_KEYS", "LOG_LEVEL"))}
    env.update({"PORT": str(port), "AWS_ENDPOINT_URL_DYNAMODB": f"http://127.0.0.1:{proxy.port}",
                "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{aws_port}", "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local", "ADMIN_EMAIL": "admin@example.com", "ADMIN_PASSWORD": "ChangeMe123!",
                "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1", "DDB_CALLS_HEADER": "1", **extra})
    log = open(Path(tempfile.gettempdir()) / f"catalog-bench-{port}.log", "w")
    process = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "local_stack.py")], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health", timeout=1).status_code == 200:
                return moto, proxy, process, url
        except requests.RequestException:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"the stack did not start; see {log.name}")


def login(url: str, paths: dict[str, Any], env_endpoint: str) -> str:
    if "/auth/login" in paths:
        reply = requests.post(f"{url}/auth/login", json={"email": "admin@example.com", "password": "ChangeMe123!"},
                              timeout=30)
        reply.raise_for_status()
        return str(reply.json()["data"]["access_token"])
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    env = {**os.environ, **config["environment_variables"], **config["stages"]["local"]["environment_variables"],
           "AWS_ENDPOINT_URL_DYNAMODB": env_endpoint, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
    env.pop("JWT_KEYS", None)
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "fuzz" / "mint_token.py")], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def scenario(url: str, token: str, paths: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """A short walk over the API; each answer's X-DynamoDB-Calls is the route's call count."""
    auth = {"Authorization": f"Bearer {token}"}
    rows: list[dict[str, Any]] = []
    ids: dict[str, str] = {}

    def call(method: str, route: str, body: Any = None, **params: str) -> Any:
        template = route.split("?")[0]
        if template not in paths or method.lower() not in paths[template]:
            return None
        path = route.format(**ids, **params)
        reply = requests.request(method, f"{url}{path}", json=body, headers=auth, timeout=30)
        rows.append({"route": f"{method} {template}", "status": reply.status_code,
                     "calls": reply.headers.get("X-DynamoDB-Calls", "?")})
        return reply.json().get("data") if reply.content else None

    call("GET", "/health")
    call("GET", "/auth/me")
    call("GET", "/roles")
    call("GET", "/permissions")
    call("GET", "/users")
    category = call("POST", "/product-categories", {"name": "Bench category"})
    if category:
        ids["category_id"] = category["id"]
        call("GET", "/product-categories/{category_id}")
        call("GET", "/product-categories")
    store = call("POST", "/stores", {"name": "Bench store"})
    if store:
        ids["store_id"] = store["id"]
        call("GET", "/stores/{store_id}")
        call("GET", "/stores")
    for n in range(30 if category else 0):
        product = call("POST", "/products", {"name": f"Bench product {n}", "product_category_id": ids["category_id"]})
        if product:
            ids["product_id"], ids["slug"] = product["id"], product.get("slug", "")
    if "product_id" in ids:
        call("GET", "/products/{product_id}")
        call("GET", "/products/by-slug/{slug}")
        call("GET", "/products")
        option = call("POST", "/products/{product_id}/options", {"name": "Size"})
        call("GET", "/products/{product_id}/options")
        call("GET", "/products/{product_id}/variants")
        if option:
            ids["option_id"] = option["id"]
            call("GET", "/product-options/{option_id}/values")
        if store:
            call("POST", "/products/{product_id}/stores", {"store_ids": [ids["store_id"]]})
            call("GET", "/stores/{store_id}/products")
    call("POST", "/files", {"filename": "a.png", "content_type": "image/png", "size": 1000})
    return rows, ids


def latency(url: str, path: str, token: str, proxy: RecordingProxy, n: int) -> dict[str, Any]:
    """p50/p99 over HTTP, and of the same DynamoDB requests sent with boto3 (recorded from one request)."""
    import boto3

    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(5):
        session.get(f"{url}{path}", headers=headers, timeout=30)  # warm: clients, caches, connections
    proxy.recording = []
    session.get(f"{url}{path}", headers=headers, timeout=30).raise_for_status()
    recorded, proxy.recording = proxy.recording, None
    http_ms = []
    for _ in range(n):
        started = time.perf_counter()
        session.get(f"{url}{path}", headers=headers, timeout=30)
        http_ms.append((time.perf_counter() - started) * 1000)
    client = boto3.client("dynamodb", region_name="eu-west-1", endpoint_url=f"http://127.0.0.1:{proxy.port}",
                          aws_access_key_id="local", aws_secret_access_key="local")
    snake = {op: re.sub(r"(?<!^)(?=[A-Z])", "_", op).lower() for op, _ in recorded}
    for op, params in recorded:
        getattr(client, snake[op])(**params)  # warm the client
    raw_ms = []
    for _ in range(n):
        started = time.perf_counter()
        for op, params in recorded:
            getattr(client, snake[op])(**params)
        raw_ms.append((time.perf_counter() - started) * 1000)
    handler_ms = in_process(path, headers, proxy, n)
    p = lambda xs, q: statistics.quantiles(xs, n=100)[q - 1]  # noqa: E731
    return {"path": path, "ops": [op for op, _ in recorded], "http_p50": statistics.median(http_ms),
            "http_p99": p(http_ms, 99), "raw_p50": statistics.median(raw_ms), "raw_p99": p(raw_ms, 99),
            "handler_p50": statistics.median(handler_ms), "handler_p99": p(handler_ms, 99),
            "ratio_p50": statistics.median(http_ms) / statistics.median(raw_ms),
            "handler_ratio_p50": statistics.median(handler_ms) / statistics.median(raw_ms)}


def in_process(path: str, headers: dict[str, str], proxy: RecordingProxy, n: int) -> list[float]:
    """The same request through app.app in this process (what a Lambda function runs, without chalice local's
    HTTP server): same table, same DynamoDB endpoint, the local stage's keys, so the token is valid."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    os.environ.update({**config["environment_variables"], **config["stages"]["local"]["environment_variables"],
                       "AWS_ENDPOINT_URL_DYNAMODB": f"http://127.0.0.1:{proxy.port}", "AWS_ACCESS_KEY_ID": "local",
                       "AWS_SECRET_ACCESS_KEY": "local", "LOG_LEVEL": "WARNING"})
    os.environ.pop("JWT_KEYS", None)
    from chalice.test import Client

    from app import app

    times = []
    with Client(app, stage_name="local") as client:
        for _ in range(5):
            client.http.get(path, headers=headers)
        for _ in range(n):
            started = time.perf_counter()
            client.http.get(path, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--no-cold", action="store_true")
    args = parser.parse_args()
    moto, proxy, process, url = start({})
    try:
        paths = requests.get(f"{url}/openapi.json", timeout=10).json()["paths"]
        token = login(url, paths, f"http://127.0.0.1:{proxy.port}")
        rows, ids = scenario(url, token, paths)
        print("DynamoDB calls per route (X-DynamoDB-Calls, local stage):")
        seen = set()
        for row in rows:
            if row["route"] not in seen:
                seen.add(row["route"])
                print(f"  {row['route']:48} {row['status']:>4}  {row['calls']:>3}")
        targets = [f"/products/{ids['product_id']}", "/products?per_page=15"] if "product_id" in ids else ["/health"]
        print(f"\nlatency over {args.requests} sequential requests (ms), against the same endpoint:")
        print("  http = over HTTP to the `make run` stack (chalice local); handler = app.app in-process (the Lambda"
              " path); boto3 = the same DynamoDB requests, sent directly")
        print(f"  {'request':34} {'http p50':>8} {'p99':>6} {'handler p50':>11} {'p99':>6} {'boto3 p50':>9} {'p99':>6}"
              f" {'http/boto3':>10} {'handler/boto3':>13}  DynamoDB requests")
        for path in targets:
            r = latency(url, path, token, proxy, args.requests)
            print(f"  GET {r['path'][:30]:30} {r['http_p50']:8.1f} {r['http_p99']:6.1f} {r['handler_p50']:11.1f} "
                  f"{r['handler_p99']:6.1f} {r['raw_p50']:9.1f} {r['raw_p99']:6.1f} {r['ratio_p50']:10.2f} "
                  f"{r['handler_ratio_p50']:13.2f}  {', '.join(r['ops'])}")
    finally:
        process.terminate()
        process.wait(timeout=15)
        proxy.server.shutdown()
        moto.stop()
    if not args.no_cold:
        from bench.cold_start import report, run

        print()
        report(run(args.cold_runs))


if __name__ == "__main__":
    main()
