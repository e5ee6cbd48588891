"""`make deploy-local`: dist/ (from `make package`) deployed into MiniStack on 127.0.0.1 the way
docs/deployment.md deploys it to AWS, seeded through its Seed function; prints the API's base URL and waits.
Ctrl-C (or `make deploy-local-stop` from another shell) removes everything it started.

    python scripts/deploy_local.py [--port N] [--dist dist]     # DEPLOY_LOCAL_PORT=N works too (default: free)
    python scripts/deploy_local.py stop
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.local_deployment import deploy, start_emulator, stop_process_group  # noqa: E402
from tests.live import free_port  # noqa: E402

STATE = ROOT / "dist" / "deploy-local.json"  # what `stop` needs: our pid, MiniStack's process group


def run(port: int, dist: Path) -> None:
    email = os.environ.get("ADMIN_EMAIL", "admin@example.com")
    password = os.environ.get("ADMIN_PASSWORD", "ChangeMe123!")
    if STATE.exists():
        raise SystemExit(f"{STATE} exists: a local deployment is running (make deploy-local-stop)")

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)  # also when started with SIGINT ignored (a background job)
    started = time.perf_counter()
    emulator = start_emulator(port)
    try:
        STATE.write_text(json.dumps({"pid": os.getpid(), "ministack_pgid": emulator.process.pid,
                                     "workdir": str(emulator.workdir)}))
        print(f"MiniStack on {emulator.endpoint} ({time.perf_counter() - started:.1f} s; log "
              f"{emulator.workdir / 'ministack.log'})", flush=True)
        deployment = deploy(emulator.endpoint, dist, email, password)
        s = deployment.seconds
        print(f"Stack deployed: {len(deployment.functions)} Lambda functions; package+keys {s['package']:.1f} s, "
              f"change set {s['stack']:.1f} s, seed {s['seed']:.1f} s, total {s['total']:.1f} s", flush=True)
        print(f"Admin account: {email} / {password}", flush=True)
        print(f"API on {deployment.api_url}  (e.g. {deployment.api_url}/health)", flush=True)
        while emulator.process.poll() is None:
            time.sleep(0.5)
        print(f"MiniStack exited with {emulator.process.returncode}", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
        STATE.unlink(missing_ok=True)
        print("stopped: MiniStack, its function workers and its scratch folder are gone", flush=True)


def stop() -> None:
    """Ask the running deploy-local to clean up; if it is gone, clean up after it."""
    if not STATE.exists():
        print("no local deployment running")
        return
    state = json.loads(STATE.read_text())
    try:
        os.kill(state["pid"], signal.SIGTERM)
        deadline = time.monotonic() + 20
        while STATE.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    except ProcessLookupError:
        pass
    if STATE.exists():  # the deploy-local process died without cleaning up
        stop_process_group(state["ministack_pgid"])
        shutil.rmtree(state["workdir"], ignore_errors=True)
        STATE.unlink(missing_ok=True)
    print("local deployment stopped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", choices=["run", "stop"], default="run")
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEPLOY_LOCAL_PORT") or 0))
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    args = parser.parse_args()
    if args.command == "stop":
        stop()
    else:
        run(args.port or free_port(), args.dist)


if __name__ == "__main__":
    main()
