"""The `make run` stack as a real process: moto server + chalice local on free ports, for smoke, browser
and fuzz tests that must go over real HTTP."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveStack:
    url: str
    aws_url: str
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
    """Start scripts/local_stack.py exactly as `make run` does and wait until GET /health answers 200."""
    port, aws_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    for key in ("STAGE", "TABLE_NAME", "BUCKET_NAME", "CORS_ORIGINS", "JWT_KEYS", "LOG_LEVEL"):
        env.pop(key, None)  # the stack reads its own stage configuration, like `make run`
    env.update({"PORT": str(port), "AWS_PORT": str(aws_port), "ADMIN_EMAIL": "admin@example.com",
                "ADMIN_PASSWORD": "ChangeMe123!", "PYTHONUNBUFFERED": "1"})
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
                return LiveStack(url, f"http://127.0.0.1:{aws_port}", process, env["ADMIN_EMAIL"], env["ADMIN_PASSWORD"])
        except requests.RequestException:
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError("local stack did not become healthy in time")
