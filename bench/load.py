"""Load on a running `make run` stack, over real HTTP on 127.0.0.1 only, bounded in count and time.

1. Waves of N parallel clients (released together): each registers a fresh e-mail, creates a product (as the
   admin) and reads a list page twice. Throughput, p50/p99 per kind, errors by kind (connection errors, 5xx,
   unexpected statuses), the stack's memory (RSS of its process tree: API server + stand-ins) before and after.
2. Growth: C product creates from a few clients (each create writes 4+ items), the median of the first and the
   last 100 and their ratio, memory before and after.

    python bench/load.py                          # starts the default stack (DynamoDB Local + MiniStack), fresh
    python bench/load.py --standin moto --max-seconds 300   # the old moto stand-in, growth capped at 300 s
    python bench/load.py --url http://127.0.0.1:8000 --pid 1234   # a stack already running (pid: for memory)
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN = {"email": "admin@example.com", "password": "ChangeMe123!"}
TIMEOUT = 120.0  # per request; a slower answer is an error of its own kind


@dataclass
class Tally:
    """Latencies per kind of request, errors per kind and cause."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            if error:
                self.errors[f"{kind}: {error}"] += 1


def call(session: requests.Session, tally: Tally, kind: str, method: str, url: str, expect: int,
         **kw: object) -> requests.Response | None:
    started = time.perf_counter()
    try:
        reply = session.request(method, url, timeout=TIMEOUT, **kw)  # type: ignore[arg-type]
    except requests.ConnectionError as exc:
        tally.record(kind, time.perf_counter() - started, f"connection error ({type(exc).__name__})")
        return None
    except requests.Timeout:
        tally.record(kind, time.perf_counter() - started, f"timeout > {TIMEOUT:.0f}s")
        return None
    error = None
    if reply.status_code != expect:
        error = f"{reply.status_code} {reply.text[:80]}" if reply.status_code < 500 else f"{reply.status_code} (5xx)"
    tally.record(kind, time.perf_counter() - started, error)
    return reply


def tree_rss_mb(pid: int | None) -> float | None:
    """Resident memory of `pid` and every descendant (Linux /proc), in MB."""
    if pid is None:
        return None
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo.extend(children.get(current, []))
    return total / 1e6


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def login(base: str) -> str:
    reply = requests.post(f"{base}/auth/login", json=ADMIN, timeout=TIMEOUT)
    reply.raise_for_status()
    return str(reply.json()["data"]["access_token"])


def waves(base: str, admin: dict[str, str], category_id: str, clients: int, count: int, tally: Tally,
          max_seconds: float) -> float:
    """`count` waves of `clients` clients released together, none started after `max_seconds`; returns the
    seconds they took."""
    run = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    for wave in range(count):
        if time.perf_counter() - started > max_seconds:
            print(f"  (time cap: waves {wave + 1}..{count} not run)")
            break
        barrier = threading.Barrier(clients)

        def client(n: int, wave: int = wave, barrier: threading.Barrier = barrier) -> None:
            session = requests.Session()
            barrier.wait(timeout=60)
            email = f"load-{run}-{wave}-{n}@example.com"
            call(session, tally, "register", "POST", f"{base}/auth/register", 201,
                 json={"name": "Load", "email": email, "password": "password123", "password_confirmation": "password123"})
            call(session, tally, "create", "POST", f"{base}/products", 201, headers=admin,
                 json={"name": f"Load {run} {wave} {n}", "product_category_id": category_id})
            for _ in range(2):
                call(session, tally, "list", "GET", f"{base}/products?per_page=15", 200, headers=admin)

        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(client, range(clients)))
    return time.perf_counter() - started


def grow(base: str, admin: dict[str, str], category_id: str, creates: int, workers: int,
         max_seconds: float) -> tuple[list[float], Counter[str], float]:
    """`creates` product creates from `workers` clients, stopped after `max_seconds`; latencies in start order."""
    run = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    slots: list[float | None] = [None] * creates
    errors: Counter[str] = Counter()
    next_index = iter(range(creates))
    lock = threading.Lock()

    def worker() -> None:
        session = requests.Session()
        tally = Tally()
        while time.perf_counter() - started < max_seconds:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            t0 = time.perf_counter()
            reply = call(session, tally, "grow", "POST", f"{base}/products", 201, headers=admin,
                         json={"name": f"Grow {run} {index}", "product_category_id": category_id})
            slots[index] = time.perf_counter() - t0
            if reply is None or reply.status_code != 201:
                with lock:
                    errors.update(tally.errors)
                tally.errors.clear()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [s for s in slots if s is not None], errors, time.perf_counter() - started


def start_stack(standin: str) -> tuple[str, subprocess.Popen[bytes], Path]:
    """scripts/local_stack.py on free ports, fresh data in a temporary folder; waits for GET /health."""
    from infra.emulators import free_port

    port = free_port()
    data = Path(tempfile.mkdtemp(prefix="catalog-load-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    for key in ("STAGE", "TABLE_NAME", "BUCKET_NAME", "CORS_ORIGINS", "JWT_KEYS", "LOG_LEVEL", "DEMO"):
        env.pop(key, None)
    env.update({"PORT": str(port), "AWS_PORT": str(free_port()), "LOCAL_DATA_DIR": str(data), "FRESH": "1",
                "LOG_LEVEL": "WARNING", "ADMIN_EMAIL": ADMIN["email"], "ADMIN_PASSWORD": ADMIN["password"]})
    if standin == "moto":
        env["STANDIN"] = "moto"
    log = data / "stack.log"
    process = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "local_stack.py")], cwd=ROOT, env=env,
                               stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"stack exited: see {log}")
        try:
            if requests.get(f"{base}/health", timeout=2).status_code == 200:
                return base, process, log
        except requests.RequestException:
            pass
        time.sleep(0.5)
    process.kill()
    raise SystemExit(f"stack not healthy in time: see {log}")


def report_waves(tally: Tally, seconds: float) -> None:
    total = sum(len(v) for v in tally.latencies.values())
    print(f"  {total} requests in {seconds:.1f} s: {total / seconds:.1f} req/s")
    for kind, values in tally.latencies.items():
        print(f"  {kind:<9} n={len(values):<4} p50={pct(values, 0.5) * 1000:7.0f} ms   p99={pct(values, 0.99) * 1000:7.0f} ms")
    if tally.errors:
        for what, n in sorted(tally.errors.items(), key=lambda kv: -kv[1]):
            print(f"  error     {n:>4} × {what}")
    else:
        print("  errors    none")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running stack (else one is started, fresh)")
    parser.add_argument("--pid", type=int, help="the running stack's process (memory is that process tree)")
    parser.add_argument("--standin", choices=["default", "moto"], default="default")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--grow-clients", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=900,
                        help="cap on each phase (no new wave, no new create after it)")
    args = parser.parse_args()
    process = None
    if args.url:
        if urlparse(args.url).hostname not in ("127.0.0.1", "localhost"):
            raise SystemExit("bench/load.py only talks to 127.0.0.1")
        base, pid = args.url.rstrip("/"), args.pid
    else:
        t0 = time.perf_counter()
        base, process, log = start_stack(args.standin)
        pid = process.pid
        print(f"stack ({args.standin}) up in {time.perf_counter() - t0:.1f} s at {base} (log {log})")
    try:
        token = login(base)
        admin = {"Authorization": f"Bearer {token}"}
        category = requests.post(f"{base}/product-categories", json={"name": f"Load {uuid.uuid4().hex[:6]}"},
                                 headers=admin, timeout=TIMEOUT)
        category.raise_for_status()
        category_id = category.json()["data"]["id"]

        before = tree_rss_mb(pid)
        tally = Tally()
        seconds = waves(base, admin, category_id, args.clients, args.waves, tally, args.max_seconds)
        after = tree_rss_mb(pid)
        print(f"\n{args.clients} parallel clients × {args.waves} waves (register, create, 2 list reads each)")
        report_waves(tally, seconds)
        if before is not None and after is not None:
            print(f"  memory    {before:.0f} MB → {after:.0f} MB")

        admin = {"Authorization": f"Bearer {login(base)}"}  # a fresh 15-minute token for the long phase
        before = tree_rss_mb(pid)
        latencies, errors, seconds = grow(base, admin, category_id, args.creates, args.grow_clients, args.max_seconds)
        after = tree_rss_mb(pid)
        print(f"\ngrowth: {len(latencies)} of {args.creates} creates from {args.grow_clients} clients in {seconds:.1f} s"
              + (f" (capped at {args.max_seconds:.0f} s)" if len(latencies) < args.creates else ""))
        if len(latencies) >= 200:
            first, last = statistics.median(latencies[:100]), statistics.median(latencies[-100:])
            print(f"  median create: first 100 {first * 1000:.0f} ms, last 100 {last * 1000:.0f} ms, "
                  f"ratio {last / first:.2f}")
        for what, n in sorted(errors.items(), key=lambda kv: -kv[1]):
            print(f"  error     {n:>4} × {what}")
        if not errors:
            print("  errors    none")
        if before is not None and after is not None:
            print(f"  memory    {before:.0f} MB → {after:.0f} MB (+{after - before:.0f} MB)")
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
