"""First-call (cold) and warm latency of 6 routes over HTTP, on the per-route stack deployed into MiniStack (each
route its own Lambda function: its first call starts that function's process) next to the `make run` stack
(one chalice local process: its first call of a route only loads that domain's modules).

    python bench/deployed.py [--warm 20] [--dist dist]      # dist: `make package`'s output (default: package anew)
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.deployed import start_deployed  # noqa: E402
from tests.live import start_stack  # noqa: E402

ROUTES = ["GET /health", "POST /auth/login", "GET /auth/me", "GET /products", "GET /products/{product_id}",
          "GET /products/by-slug/{slug}"]


def measure(url: str, email: str, password: str, warm: int) -> dict[str, dict[str, float]]:
    """Each route's first call, then `warm` more; milliseconds. Setup calls (a category, a product) in between."""
    session = requests.Session()
    state: dict[str, Any] = {}

    def timed(call: Callable[[], requests.Response]) -> float:
        started = time.perf_counter()
        reply = call()
        elapsed = (time.perf_counter() - started) * 1000
        assert reply.status_code < 300, reply.text
        return elapsed

    def auth() -> dict[str, str]:
        return {"Authorization": f"Bearer {state['token']}"}

    def login() -> requests.Response:
        reply = session.post(f"{url}/auth/login", json={"email": email, "password": password}, timeout=120)
        state["token"] = reply.json()["data"]["access_token"]
        return reply

    calls: dict[str, Callable[[], requests.Response]] = {
        "GET /health": lambda: session.get(f"{url}/health", timeout=120),
        "POST /auth/login": login,
        "GET /auth/me": lambda: session.get(f"{url}/auth/me", headers=auth(), timeout=120),
        "GET /products": lambda: session.get(f"{url}/products", headers=auth(), timeout=120),
        "GET /products/{product_id}": lambda: session.get(f"{url}/products/{state['id']}", headers=auth(),
                                                          timeout=120),
        "GET /products/by-slug/{slug}": lambda: session.get(f"{url}/products/by-slug/{state['slug']}",
                                                            headers=auth(), timeout=120),
    }
    results: dict[str, dict[str, float]] = {}
    for route in ROUTES:
        if route == "GET /products":  # something to read, written by two other routes' functions
            category = session.post(f"{url}/product-categories", json={"name": f"Bench {time.time_ns()}"},
                                    headers=auth(), timeout=120).json()["data"]
            product = session.post(f"{url}/products", json={"name": f"Bench shoe {time.time_ns()}",
                                                             "product_category_id": category["id"]},
                                   headers=auth(), timeout=120).json()["data"]
            state.update(id=product["id"], slug=product["slug"])
        cold = timed(calls[route])
        samples = sorted(timed(calls[route]) for _ in range(warm))
        results[route] = {"cold": cold, "p50": statistics.median(samples),
                          "p90": samples[max(0, int(len(samples) * 0.9) - 1)]}
    return results


def report(deployed: dict[str, dict[str, float]], local: dict[str, dict[str, float]], warm: int,
           deploy_seconds: dict[str, float], functions: int) -> None:
    print(f"deployed: {functions} Lambda functions in MiniStack, deployed in {deploy_seconds['total']:.1f} s "
          f"(package+keys {deploy_seconds['package']:.1f}, change set {deploy_seconds['stack']:.1f}, "
          f"seed {deploy_seconds['seed']:.1f}); make run: chalice local + moto. ms; warm = {warm} calls after the first")
    header = f"{'route':32} {'deployed cold':>13} {'warm p50':>9} {'p90':>7}   {'make run first':>14} {'warm p50':>9} {'p90':>7}"
    print(header)
    for route in ROUTES:
        d, m = deployed[route], local[route]
        print(f"{route:32} {d['cold']:13.0f} {d['p50']:9.1f} {d['p90']:7.1f}   {m['cold']:14.0f} {m['p50']:9.1f} "
              f"{m['p90']:7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--dist", type=Path, default=None)
    args = parser.parse_args()
    stack = start_deployed(args.dist)
    try:
        deployed = measure(stack.url, stack.admin_email, stack.admin_password, args.warm)
        seconds, functions = stack.deployment.seconds, len(stack.deployment.functions)
    finally:
        stack.stop()
    live = start_stack()
    try:
        local = measure(live.url, live.admin_email, live.admin_password, args.warm)
    finally:
        live.stop()
    report(deployed, local, args.warm, seconds, functions)


if __name__ == "__main__":
    main()
