"""The local stand-ins as processes (dev and test only, never deployed): AWS's DynamoDB Local for the table, MiniStack
for the bucket, both on 127.0.0.1. `make run` (scripts/local_stack.py) and the live tests (tests/live.py) start them
through these functions, so smoke tests exercise what `make run` serves."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Emulator:
    """One stand-in process and where it answers."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    _log: IO[bytes] | None = field(default=None, repr=False)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # both save on SIGTERM (MiniStack's state, DynamoDB Local's file)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self._log is not None:
            self._log.close()


def _launch(name: str, command: list[str], env: dict[str, str], port: int) -> Emulator:
    log_path = Path(tempfile.gettempdir()) / f"catalog-{name}-{port}.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return Emulator(name, f"http://{HOST}:{port}", process, log_path, log)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:  # any HTTP answer means it is serving (DynamoDB Local answers GET / with 400)
        return True
    except OSError:
        return False


def wait_until_serving(emulator: Emulator, probe: str, timeout: float) -> None:
    """Poll `probe` until it answers; on exit or timeout, stop the process and raise with its log's tail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if emulator.process.poll() is not None:
            break
        if _answers(emulator.url + probe):
            return
        time.sleep(0.25)
    emulator.stop()
    tail = emulator.log_path.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"{emulator.name} did not start (log {emulator.log_path}):\n{tail}")


def start_dynamodb_local(data_dir: Path | None, port: int | None = None) -> Emulator:
    """DynamoDB Local on 127.0.0.1 (scripts/dynamodb_local.sh); on disk in `data_dir`, in memory when None."""
    port = port or free_port()
    env = dict(os.environ)
    env.pop("DYNAMODB_LOCAL_DATA_DIR", None)
    if data_dir is not None:
        env["DYNAMODB_LOCAL_DATA_DIR"] = str(data_dir)
    return _launch("dynamodb-local", [str(SCRIPTS / "dynamodb_local.sh"), "start", str(port)], env, port)


def start_ministack_s3(data_dir: Path | None, access_key: str, secret_key: str,
                       port: int | None = None) -> Emulator:
    """MiniStack's S3 on 127.0.0.1 (scripts/ministack.sh), with AUTH=true so it checks signatures, presigned POST
    policies and CORS as S3 does; objects kept in `data_dir` (none kept when None)."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "S3_", "PERSIST_"))}
    env.update({"SERVICES": "s3", "AUTH": "true", "LOG_LEVEL": "WARNING",
                # the credentials it verifies signatures against: the ones the API signs with
                "AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key,
                # a bucket reloaded from S3_DATA_DIR comes back without its region and takes this one; any
                # other and every presigned POST after a restart fails its credential scope (400)
                "MINISTACK_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-west-1")})
    env.pop("AWS_SESSION_TOKEN", None)
    if data_dir is not None:
        env.update({"S3_PERSIST": "1", "S3_DATA_DIR": str(data_dir)})
    else:
        env.update({"S3_PERSIST": "0", "S3_DATA_DIR": tempfile.mkdtemp(prefix="ministack-s3-")})
    return _launch("ministack", [str(SCRIPTS / "ministack.sh"), "start", str(port)], env, port)


def install_emulators() -> None:
    """Install both into their caches outside the repo (first run only; each script prints its progress)."""
    for script in ("dynamodb_local.sh", "ministack.sh"):
        done = subprocess.run([str(SCRIPTS / script), "install"], stdout=subprocess.DEVNULL, stderr=sys.stderr)
        if done.returncode != 0:
            raise RuntimeError(f"scripts/{script} install failed (exit {done.returncode})")


def start_emulators(data_dir: Path | None, access_key: str, secret_key: str,
                    timeout: float = 120) -> tuple[Emulator, Emulator]:
    """Both stand-ins, started side by side (the JVM's start overlaps MiniStack's); data under `data_dir`."""
    install_emulators()
    dynamodb = start_dynamodb_local(data_dir / "dynamodb" if data_dir else None)
    try:
        s3 = start_ministack_s3(data_dir / "s3" if data_dir else None, access_key, secret_key)
    except Exception:
        dynamodb.stop()
        raise
    try:
        wait_until_serving(s3, "/_ministack/health", timeout)
        wait_until_serving(dynamodb, "/", timeout)
    except Exception:
        dynamodb.stop()
        s3.stop()
        raise
    return dynamodb, s3


def wipe(data_dir: Path) -> None:
    """Forget everything the stand-ins kept (make run FRESH=1)."""
    for part in ("dynamodb", "s3"):
        shutil.rmtree(data_dir / part, ignore_errors=True)
