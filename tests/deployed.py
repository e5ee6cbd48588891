"""The per-route deployment as a running stack for the smoke tests and the bench: `make package`'s dist/ (or a
fresh package in a temporary folder) deployed into MiniStack by infra/local_deployment.py, as `make
deploy-local` does. Same face as tests/live.LiveStack: url, aws_url, admin_email, admin_password, stop()."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from infra.local_deployment import Deployment, Emulator, deploy, start_emulator
from tests.live import free_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class DeployedStack:
    url: str
    aws_url: str
    admin_email: str
    admin_password: str
    deployment: Deployment
    emulator: Emulator

    def stop(self) -> None:
        self.emulator.stop()


def package_into(out: Path) -> Path:
    """scripts/package.py for prod, as `make package` runs it, with none of the test stage's variables."""
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    env = {**{k: v for k, v in os.environ.items() if k in keep}, "AWS_DEFAULT_REGION": "eu-west-1"}
    subprocess.run([sys.executable, str(ROOT / "scripts" / "package.py"), "--out", str(out)], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=600)
    return out


def start_deployed(dist: Path | None = None) -> DeployedStack:
    """Deploy dist (default: $DEPLOY_DIST, else a fresh package) into a new MiniStack on a free port."""
    given = dist or (Path(os.environ["DEPLOY_DIST"]) if os.environ.get("DEPLOY_DIST") else None)
    scratch = None if given else tempfile.TemporaryDirectory(prefix="catalog-dist-")
    dist = given or package_into(Path(scratch.name))  # type: ignore[union-attr]
    emulator = start_emulator(free_port())
    try:
        email, password = "admin@example.com", "ChangeMe123!"
        deployment = deploy(emulator.endpoint, dist, email, password)
    except BaseException:
        emulator.stop()
        raise
    finally:
        if scratch is not None:
            scratch.cleanup()  # the stack holds its own copy of the zip (in MiniStack's S3)
    return DeployedStack(deployment.api_url, emulator.endpoint, email, password, deployment, emulator)
