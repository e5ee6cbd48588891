"""`chalice local` (the `make run` stack) outside local/test without a signing key: it never serves."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.live import start_stack


def test_chalice_local_refuses_to_serve_without_a_signing_key_outside_local_and_test():
    with pytest.raises(RuntimeError, match="exited") as refused:
        start_stack({"STAGE": "prod"}).stop()
    log = Path(re.search(r"see (\S+)", str(refused.value)).group(1)).read_text()
    assert "ConfigurationError" in log and "set JWT_KEYS or JWT_KEYS_PARAMETER" in log
    assert "Serving on" not in log
