"""Cold start per route: what a route's Lambda function must import before it can answer its first request,
timed in fresh processes against `import boto3` alone (the floor every Lambda pays), plus the package size.

    python bench/cold_start.py [--runs 5] [--routes "GET /products/{id}" ...]

For each route a fresh process imports app.py, answers one API Gateway event for that route (against an
embedded moto server) and lists every module it loaded. Then, N times each in fresh processes, we time importing
exactly that module set, and `import boto3` alone; the ratio of the medians is the route's import cost.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, sys, time, importlib
mode, payload = sys.argv[1], json.loads(sys.argv[2])
if mode == "time":
    started = time.perf_counter()
    for name in payload:
        try:
            importlib.import_module(name)
        except Exception:  # a few modules only load as a side effect of their parent (six.moves...)
            pass
    print(json.dumps((time.perf_counter() - started) * 1000))
else:  # discover: import the app, answer one event, list what got loaded
    before = set(sys.modules)
    from app import app
    import types
    context = types.SimpleNamespace(aws_request_id="cold", function_name="cold", memory_limit_in_mb=512,
                                    get_remaining_time_in_millis=lambda: 10000)
    response = app(payload, context)
    loaded = [m for m in sys.modules if m not in before and m != "__main__"]  # in load order
    print(json.dumps({"status": response["statusCode"], "modules": loaded}))
"""


def bench_env(endpoint: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    return {**{k: v for k, v in os.environ.items() if k in keep}, "PYTHONPATH": str(ROOT), "STAGE": "bench",
            "TABLE_NAME": "catalog-bench", "BUCKET_NAME": "catalog-bench-media", "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_ENDPOINT_URL": endpoint,
            "JWT_KEYS": "bench:bench-signing-key-0123456789abcdef0123456789", "LOG_LEVEL": "WARNING",
            "CORS_ORIGINS": "http://127.0.0.1:3000"}


def child(mode: str, payload: Any, env: dict[str, str]) -> Any:
    done = subprocess.run([sys.executable, "-c", CHILD, mode, json.dumps(payload)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def event(method: str, path: str, token: str | None) -> dict[str, Any]:
    concrete = path.replace("{", "").replace("}", "")  # /products/id: a well-formed request for a missing item
    headers = {"Host": "bench", "Accept-Language": "en", **({"Authorization": f"Bearer {token}"} if token else {})}
    params = {p.strip("{}"): "01JBENCH0000000000000000000" for p in path.split("/") if p.startswith("{")}
    body = "{}" if method in ("POST", "PUT", "PATCH") else None
    if body:
        headers["Content-Type"] = "application/json"
    return {"resource": path, "path": concrete, "httpMethod": method, "headers": headers,
            "multiValueHeaders": {k: [v] for k, v in headers.items()}, "queryStringParameters": None,
            "multiValueQueryStringParameters": None, "pathParameters": params or None, "stageVariables": None,
            "body": body, "isBase64Encoded": False,
            "requestContext": {"resourcePath": path, "httpMethod": method, "path": concrete, "stage": "api",
                               "requestId": "cold", "identity": {"sourceIp": "127.0.0.1"}}}


def start_backend() -> tuple[Any, str, str]:
    """An embedded moto server with the table and bucket, and an admin token signed with the bench key."""
    from moto.server import ThreadedMotoServer

    from tests.live import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    env = bench_env(endpoint)
    script = ("import boto3, os\nfrom infra.resources import create_local_resources\n"
              "create_local_resources(boto3.client('dynamodb'), boto3.client('s3'), os.environ['TABLE_NAME'],"
              " os.environ['BUCKET_NAME'], ['http://127.0.0.1:3000'])\n"
              "from chalicelib.identity.seed import seed_builtin_roles\nseed_builtin_roles()\n"
              "from chalicelib.identity.accounts import new_account\nfrom chalicelib.identity.sessions import start_session\n"
              "tx, user = new_account('Bench', 'bench@example.com', 'Secret123!', ['admin']); tx.commit()\n"
              "print(start_session(user).access_token)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return server, endpoint, done.stdout.strip().splitlines()[-1]


def median_ms(modules: list[str], env: dict[str, str], runs: int) -> float:
    return statistics.median(child("time", modules, env) for _ in range(runs))


def package_size() -> dict[str, float]:
    """The deployment zip `make package` writes (built now if missing), split into our code and dependencies."""
    path = ROOT / "dist" / "deployment.zip"
    if not path.exists():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "package.py")], cwd=ROOT, check=True,
                       capture_output=True)
    with zipfile.ZipFile(path) as archive:
        ours = sum(i.compress_size for i in archive.infolist() if i.filename.startswith(("app.py", "chalicelib/")))
    return {"zip_mb": path.stat().st_size / 1e6, "deps_mb": (path.stat().st_size - ours) / 1e6}


def run(runs: int = 5, only: list[str] | None = None) -> dict[str, Any]:
    server, endpoint, token = start_backend()
    env = bench_env(endpoint)
    try:
        from app import app  # only to list the routes

        routes = sorted((m, p) for p, methods in app.routes.items() for m in methods if m != "OPTIONS")
        if only:
            routes = [r for r in routes if f"{r[0]} {r[1]}" in only]
        baseline = median_ms(["boto3"], env, runs)
        whole_app = median_ms(["app"], env, runs)
        rows = []
        for method, path in routes:
            found = child("discover", event(method, path, token), env)
            modules = ["app"] + found["modules"]
            ms = median_ms(modules, env, runs)
            rows.append({"route": f"{method} {path}", "status": found["status"], "ms": ms, "ratio": ms / baseline,
                         "botocore": "botocore" in found["modules"]})
    finally:
        server.stop()
    return {"runs": runs, "boto3_ms": baseline, "app_ms": whole_app, "app_ratio": whole_app / baseline,
            "routes": rows, **package_size()}


def report(result: dict[str, Any]) -> None:
    print(f"cold start (median of {result['runs']} fresh processes): import boto3 = {result['boto3_ms']:.0f} ms; "
          f"import app = {result['app_ms']:.0f} ms ({result['app_ratio']:.2f}x, target < 1.5x)")
    print(f"{'route':52} {'status':>6} {'import ms':>9} {'ratio':>6}  botocore")
    for row in sorted(result["routes"], key=lambda r: r["ratio"]):
        print(f"{row['route']:52} {row['status']:>6} {row['ms']:9.0f} {row['ratio']:6.2f}  {'yes' if row['botocore'] else 'no'}")
    if result["routes"]:
        ratios = [r["ratio"] for r in result["routes"]]
        print(f"lightest route {min(ratios):.2f}x (target <= 1.3x), median {statistics.median(ratios):.2f}x, "
              f"heaviest {max(ratios):.2f}x")
    print(f"deployment.zip {result['zip_mb']:.1f} MB, of which dependencies {result['deps_mb']:.1f} MB "
          f"(target <= 10 MB; boto3/botocore left to the Lambda runtime)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--routes", nargs="*")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.runs, args.routes)
    print(json.dumps(result, indent=2)) if args.json else report(result)


if __name__ == "__main__":
    main()
