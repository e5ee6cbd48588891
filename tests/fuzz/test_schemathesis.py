"""Schemathesis over the `make run` stack: every operation of GET /openapi.json, valid and invalid inputs,
authenticated as an admin; no 5xx and every answer conforms to the document (status, content type, schema).
FUZZ_EXAMPLES (default 8) bounds the examples per operation and mode; shrinking is off to bound the time."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from tests.live import ROOT, LiveStack, start_stack

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
# Operations that could end the fuzzer's own session run last, so they cannot hide findings elsewhere.
LAST_WORDS = ("logout", "password", "revoke", "/me")


@pytest.fixture(scope="module")
def stack() -> Iterator[LiveStack]:
    live = start_stack()
    yield live
    live.stop()


def _token(stack: LiveStack, paths: dict[str, Any]) -> str:
    if "post" in paths.get("/auth/login", {}):
        reply = requests.post(f"{stack.url}/auth/login", json={"email": stack.admin_email,
                                                               "password": stack.admin_password}, timeout=30)
        assert reply.status_code == 200, reply.text
        return str(reply.json()["data"]["access_token"])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "JWT_", "TABLE_", "STAGE"))}
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    env.update(config["environment_variables"])
    env.update(config["stages"]["local"]["environment_variables"])
    env.update({"AWS_ENDPOINT_URL_DYNAMODB": stack.dynamodb_url, "AWS_ENDPOINT_URL_S3": stack.s3_url,
                "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})
    done = subprocess.run([sys.executable, str(Path(__file__).parent / "mint_token.py")], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_every_operation_survives_fuzzing_and_answers_as_documented(stack: LiveStack) -> None:
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_url(f"{stack.url}/openapi.json")
    document = requests.get(f"{stack.url}/openapi.json", timeout=10).json()
    headers = {"Authorization": f"Bearer {_token(stack, document['paths'])}"}
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda op: (op.method.upper() == "DELETE" or any(w in op.path for w in LAST_WORDS),
                                    op.path, op.method))
    findings: dict[str, str] = {}
    session = requests.Session()
    started = time.monotonic()
    calls = {"n": 0}
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            def fuzz(case: Any) -> None:
                calls["n"] += 1
                case.call_and_validate(base_url=stack.url, session=session, headers=headers, checks=checks,
                                       timeout=30)

            try:
                fuzz()
            except Unsatisfiable:
                pass  # nothing in this operation can be made invalid (no parameters, no body)
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect every finding, fail once
                text = str(exc).strip()
                curl = next((line.strip() for line in text.splitlines() if line.strip().startswith("curl ")), "")
                findings[f"{label} ({mode.value})"] = f"{text[:800]}\n...\n{curl}"
    elapsed = time.monotonic() - started
    print(f"\nschemathesis: {len(operations)} operations, {calls['n']} requests in {elapsed:.0f}s, "
          f"{len(findings)} finding(s)")
    assert not findings, "\n\n".join(f"== {k}\n{v}" for k, v in findings.items())
