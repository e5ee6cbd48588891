"""The `make run` stack as a real process: scripts/local_stack.py (chalice local) on a free port over the stand-ins
`make run` uses (DynamoDB Local + MiniStack's S3, fresh data in a temporary folder), for smoke, browser and fuzz
tests that must go over real HTTP. The stand-ins start once per test session (a JVM start is ~10 s); each stack
gets a table and a bucket of its own on them, so stacks never see each other's data."""
from __future__ import annotations

import atexit
import itertools
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from infra.emulators import Emulator, free_port, start_emulators

ROOT = Path(__file__).resolve().parent.parent
CREDENTIALS = ("local", "local")  # what the stacks sign with and MiniStack verifies against (AUTH=true)

__all__ = ["ROOT", "LiveStack", "free_port", "start_stack", "standins"]

_standins: tuple[Emulator, Emulator] | None = None
_standins_lock = threading.Lock()
_stack_numbers = itertools.count(1)


def standins() -> tuple[Emulator, Emulator]:
    """DynamoDB Local and MiniStack for this test session (started on first use, stopped at exit)."""
    global _standins
    with _standins_lock:
        if _standins is None:
            data = Path(tempfile.mkdtemp(prefix="catalog-live-"))
            _standins = start_emulators(data, *CREDENTIALS)
            atexit.register(lambda: [emulator.stop() for emulator in _standins or ()])
        return _standins


@dataclass
class LiveStack:
    url: str
    dynamodb_url: str
    s3_url: str
    process: subprocess.Popen
    admin_email: str
    admin_password: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_stack(extra_env: dict[str, str] | None = None, timeout: float = 60) -> LiveStack:
    """Start scripts/local_stack.py as `make run` does, on this session's stand-ins, with a table and bucket of its
    own, and wait until GET /health answers 200."""
    dynamodb, s3 = standins()
    port, number = free_port(), next(_stack_numbers)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "AWS_SESSION"))}
    for key in ("STAGE", "TABLE_NAME", "BUCKET_NAME", "CORS_ORIGINS", "JWT_KEYS", "LOG_LEVEL", "DEMO", "STANDIN"):
        env.pop(key, None)  # the stack reads its own stage configuration, like `make run`
    env.update({"PORT": str(port), "ADMIN_EMAIL": "admin@example.com", "ADMIN_PASSWORD": "ChangeMe123!",
                "PYTHONUNBUFFERED": "1", "AWS_ENDPOINT_URL_DYNAMODB": dynamodb.url, "AWS_ENDPOINT_URL_S3": s3.url,
                "AWS_ACCESS_KEY_ID": CREDENTIALS[0], "AWS_SECRET_ACCESS_KEY": CREDENTIALS[1],
                "TABLE_NAME": f"catalog-live-{os.getpid()}-{number}",
                "BUCKET_NAME": f"catalog-live-{os.getpid()}-{number}-media"})
    env.update(extra_env or {})
    log_path = Path(tempfile.gettempdir()) / f"catalog-stack-{port}.log"  # read it when a live test fails
    log = open(log_path, "w")
    process = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "local_stack.py")], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"local stack exited with {process.returncode}; see {log_path}")
        try:
            if requests.get(f"{url}/health", timeout=1).status_code == 200:
                return LiveStack(url, dynamodb.url, s3.url, process, env["ADMIN_EMAIL"], env["ADMIN_PASSWORD"])
        except requests.RequestException:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError("local stack did not become healthy in time")
