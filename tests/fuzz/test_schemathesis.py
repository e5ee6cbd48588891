"""Schemathesis over the `make run` stack: every operation of GET /openapi.json, valid and invalid inputs,
authenticated as an admin, with every check schemathesis has (CHECKS below), then its stateful phase (chains of
calls along the links it infers: create → read → update → delete → read again). FUZZ_EXAMPLES (default 8)
bounds the examples per operation and mode, FUZZ_STEPS (default 25) the stateful scenarios; shrinking is off to
bound the time."""
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
SCENARIOS = int(os.environ.get("FUZZ_STEPS", "25"))
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
          "response_schema_conformance", "negative_data_rejection", "positive_data_acceptance",
          "missing_required_header", "unsupported_method", "allow_header_conformance", "use_after_free",
          "ensure_resource_availability", "ignored_auth", "object_level_authorization")
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
    from schemathesis.checks import CHECKS as REGISTRY

    schema = schemathesis.openapi.from_url(f"{stack.url}/openapi.json")
    document = requests.get(f"{stack.url}/openapi.json", timeout=10).json()
    headers = {"Authorization": f"Bearer {_token(stack, document['paths'])}"}
    assert set(CHECKS) == set(REGISTRY.get_all_names()), "a check was added to schemathesis: add it here"
    checks = REGISTRY.get_by_names(list(CHECKS))
    # positive_data_acceptance: 422 is also how the API answers schema-valid input that breaks a rule JSON Schema
    # cannot state (API.md: a tampered cursor, a category that does not exist, a taken e-mail or slug; the
    # text rule of docs/decisions.md: no invisible characters; an e-mail's syntax), so it is an accepted answer
    # here; every other refusal of valid data (400, 405, 415, 500…) still fails the run.
    acceptance = schema.config.checks.positive_data_acceptance
    acceptance.expected_statuses = [*acceptance.expected_statuses, "422"]
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
    before_stateful = calls["n"]
    findings.update(_stateful(schema, stack, session, headers, checks, calls))
    elapsed = time.monotonic() - started
    print(f"\nschemathesis: {len(operations)} operations, {calls['n']} requests ({calls['n'] - before_stateful} "
          f"in stateful scenarios) in {elapsed:.0f}s, {len(checks)} checks, {len(findings)} finding(s)")
    assert not findings, "\n\n".join(f"== {k}\n{v}" for k, v in findings.items())


def _stateful(schema: Any, stack: LiveStack, session: requests.Session, headers: dict[str, str], checks: list[Any],
              calls: dict[str, int]) -> dict[str, str]:
    """The stateful phase: scenarios chaining operations along the links schemathesis infers from the document."""
    from hypothesis import HealthCheck, Phase, settings

    machine = schema.as_state_machine()

    class Scenarios(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            calls["n"] += 1
            return {"base_url": stack.url, "session": session, "headers": headers, "timeout": 30}

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, checks=checks, transport_kwargs=kwargs or None, recorder=self.recorder)

    try:
        Scenarios.run(settings=settings(max_examples=SCENARIOS, deadline=None, database=None, derandomize=True,
                                        phases=[Phase.generate], stateful_step_count=8,
                                        suppress_health_check=list(HealthCheck)))
    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported with the other findings
        text = str(exc).strip()
        curl = next((line.strip() for line in text.splitlines() if line.strip().startswith("curl ")), "")
        return {"stateful": f"{text[:3000]}\n...\n{curl}"}
    return {}
