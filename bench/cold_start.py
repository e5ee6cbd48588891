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
import tempfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, sys, time, importlib
mode, payload = sys.argv[1], json.loads(sys.argv[2])
if mode == "time":
    # CPU time of this process: imports are CPU-bound, and on a shared machine wall time mostly measures the queue.
    started = time.process_time()
    for name in payload:
        try:
            importlib.import_module(name)
        except Exception:  # a few modules only load as a side effect of their parent (six.moves...)
            pass
    print(json.dumps((time.process_time() - started) * 1000))
else:  # discover: import the function's handler module, answer one event, list what got loaded
    before = set(sys.modules)
    app = importlib.import_module(payload.pop("_handler_module")).app
    import types
    context = types.SimpleNamespace(aws_request_id="cold", function_name="cold", memory_limit_in_mb=512,
                                    get_remaining_time_in_millis=lambda: 10000)
    response = app(payload, context)
    loaded = [m for m in sys.modules if m not in before and m != "__main__"]  # in load order
    print(json.dumps({"status": response["statusCode"], "modules": loaded}))
"""


RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3")


def lambda_like_path() -> str:
    """sys.path of a Lambda python3.11 function: the unpacked deployment.zip, then the runtime's boto3 (and its
    dependencies) - nothing else from this virtualenv (it has extras, e.g. cryptography, that PyJWT would load)."""
    import boto3

    zip_path = ROOT / "dist" / "deployment.zip"
    if not zip_path.exists():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "package.py")], cwd=ROOT, check=True, capture_output=True)
    base = Path(tempfile.mkdtemp(prefix="cold-"))
    zipfile.ZipFile(zip_path).extractall(base / "task")
    runtime = base / "runtime"
    runtime.mkdir()
    site = Path(boto3.__file__).resolve().parent.parent
    for name in RUNTIME_PROVIDED:
        if (site / name).exists():
            (runtime / name).symlink_to(site / name)
    return f"{base / 'task'}:{runtime}"


def bench_env(endpoint: str, path: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    return {**{k: v for k, v in os.environ.items() if k in keep}, "PYTHONPATH": path, "STAGE": "bench",
            "TABLE_NAME": "catalog-bench", "BUCKET_NAME": "catalog-bench-media", "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_ENDPOINT_URL": endpoint,
            "JWT_KEYS": "bench:bench-signing-key-0123456789abcdef0123456789", "LOG_LEVEL": "WARNING",
            "CORS_ORIGINS": "http://127.0.0.1:3000"}


def child(mode: str, payload: Any, env: dict[str, str]) -> Any:
    # -S: no site-packages, only PYTHONPATH (the Lambda-like path) and the standard library.
    done = subprocess.run([sys.executable, "-S", "-c", CHILD, mode, json.dumps(payload)], cwd=env["PYTHONPATH"].split(":")[0], env=env,
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
    import logging

    from moto.server import ThreadedMotoServer

    from tests.live import free_port

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    env = bench_env(endpoint, str(ROOT))
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
    env = bench_env(endpoint, lambda_like_path())
    try:
        os.environ.setdefault("JWT_KEYS", env["JWT_KEYS"])
        from app import app  # only to list the routes and their modules

        # Routes that end the bench's session (logout, password changes) go last, or the rest would answer 401.
        routes = sorted(((m, p, app.routes[p][m].view_function.__module__)
                         for p, methods in app.routes.items() for m in methods if m != "OPTIONS"),
                        key=lambda r: (any(w in r[1] for w in ("logout", "password", "revoke")), r))
        if only:
            routes = [r for r in routes if f"{r[0]} {r[1]}" in only]
        baseline = median_ms(["boto3"], env, runs)
        whole_app = median_ms(["app"], env, runs)
        rows = []
        for method, path, module in routes:
            row: dict[str, Any] = {"route": f"{method} {path}"}
            for entry, handler_module in (("app", "app"), ("module", "chalicelib.lambda_entry")):
                entry_env = {**env, "CATALOG_ROUTE_MODULE": module}
                found = child("discover", {**event(method, path, token), "_handler_module": handler_module}, entry_env)
                ms = median_ms(found["modules"], entry_env, runs)
                row[entry] = {"status": found["status"], "ms": ms, "ratio": ms / baseline,
                              "botocore": "botocore" in found["modules"]}
            rows.append(row)
    finally:
        server.stop()
    return {"runs": runs, "boto3_ms": baseline, "app_ms": whole_app, "app_ratio": whole_app / baseline,
            "routes": rows, **package_size()}


def report(result: dict[str, Any]) -> None:
    print(f"cold start (CPU time, median of {result['runs']} fresh processes): import boto3 = {result['boto3_ms']:.0f} ms; "
          f"import app = {result['app_ms']:.0f} ms ({result['app_ratio']:.2f}x, target < 1.5x)")
    print("imports needed to answer a first request; entry app = app.app (every blueprint), "
          "module = chalicelib.lambda_entry (the route's blueprint only); * = botocore loaded")
    print(f"{'route':56} {'status':>6} {'app ms':>7} {'ratio':>6} {'module ms':>9} {'ratio':>6}")
    for row in sorted(result["routes"], key=lambda r: r["app"]["ratio"]):
        a, m = row["app"], row["module"]
        print(f"{row['route']:56} {a['status']:>6} {a['ms']:7.0f} {a['ratio']:5.2f}{'*' if a['botocore'] else ' '} "
              f"{m['ms']:9.0f} {m['ratio']:5.2f}{'*' if m['botocore'] else ' '}")
    for entry in ("app", "module"):
        ratios = [r[entry]["ratio"] for r in result["routes"]]
        if ratios:
            print(f"entry {entry:6}: lightest route {min(ratios):.2f}x (target <= 1.3x), "
                  f"median {statistics.median(ratios):.2f}x, heaviest {max(ratios):.2f}x")
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
