"""The packaged template, built once per test session by the real `make package` code path."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Packaged:
    out: Path
    template: dict[str, Any]
    report: str

    @property
    def path(self) -> Path:
        return self.out / "template.json"

    @property
    def zip(self) -> Path:
        return self.out / "deployment.zip"


def clean_env(**extra: str) -> dict[str, str]:
    """A child's environment without the test stage's variables (the package is built for prod)."""
    keep = ("PATH", "HOME", "LANG", "TMPDIR", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS")
    return {**{k: v for k, v in os.environ.items() if k in keep}, "AWS_DEFAULT_REGION": "eu-west-1", **extra}


@pytest.fixture(scope="session")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Packaged:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "package.py"), "--out", str(out)], cwd=ROOT,
                          env=clean_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return Packaged(out, json.loads((out / "template.json").read_text()), done.stdout)
