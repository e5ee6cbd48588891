"""Configuration that could leak or be forged: the call-meter header (an enumeration oracle unless asked for),
failed logins that cost the same for known and unknown e-mails, and no public signing key outside local/test."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import make_account

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """Settings are read once per process: re-read them around a test that changes the environment."""
    from chalicelib.core.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# --- item 12: login costs and the X-DynamoDB-Calls header -------------------------------------------------
def test_failed_login_costs_the_same_calls_for_known_unknown_deleted_and_inactive_emails(api, admin):
    known, gone, inactive = make_account(["customer"]), make_account(["customer"]), make_account(["customer"])
    assert api.delete(f"/users/{gone.id}", token=admin.token).status == 200
    assert api.patch(f"/users/{inactive.id}", {"is_active": False}, token=admin.token).status == 200
    replies = [api.post("/auth/login", {"email": email, "password": "wrong-password"})
               for email in (known.email, "nobody@example.com", gone.email, inactive.email)]
    assert {reply.status for reply in replies} == {401}
    assert all(reply.calls == replies[0].calls for reply in replies), [reply.calls for reply in replies]
    assert len({reply.headers["x-dynamodb-calls"] for reply in replies}) == 1
    # A right password on a deleted account is refused at the same cost too.
    right = api.post("/auth/login", {"email": gone.email, "password": gone.password})
    assert right.status == 401 and right.calls == replies[0].calls


def test_the_calls_header_is_sent_only_when_the_setting_asks(api, admin, monkeypatch, fresh_settings):
    assert api.get("/auth/me", token=admin.token).headers["x-dynamodb-calls"] == "1"  # the harness turns it on
    for off in ("0", ""):
        monkeypatch.setenv("DDB_CALLS_HEADER", off)
        from chalicelib.core.settings import get_settings

        get_settings.cache_clear()
        for reply in (api.get("/auth/me", token=admin.token),
                      api.post("/auth/login", {"email": "nobody@example.com", "password": "wrong-password"})):
            assert "x-dynamodb-calls" not in reply.headers and reply.calls  # still metered, not sent
    monkeypatch.delenv("DDB_CALLS_HEADER")
    get_settings.cache_clear()
    assert "x-dynamodb-calls" not in api.get("/health").headers  # off by default


# --- item 13: the signing key ---------------------------------------------------------------------------
def _start(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter, as a Lambda cold start is: import the app with this environment."""
    base = {k: v for k, v in os.environ.items() if k not in ("JWT_KEYS", "JWT_KEYS_PARAMETER", "STAGE")}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True,
                          text=True, timeout=120)


LAMBDA_ENTRY = "import chalicelib.lambda_entry"  # one route's function (infra/functions.json "entry")


@pytest.mark.parametrize("code", ["import app", LAMBDA_ENTRY])
@pytest.mark.parametrize("stage", ["prod", "staging"])
def test_no_signing_key_outside_local_and_test_refuses_to_start(code, stage):
    started = _start(code, STAGE=stage, CATALOG_ROUTE_MODULE="chalicelib.health.routes")
    assert started.returncode != 0
    assert "ConfigurationError" in started.stderr and "JWT_KEYS" in started.stderr


def test_a_lambda_function_without_a_stage_is_prod_and_refuses_the_development_key():
    started = _start(LAMBDA_ENTRY, AWS_LAMBDA_FUNCTION_NAME="catalog-GetHealth",
                     CATALOG_ROUTE_MODULE="chalicelib.health.routes")
    assert started.returncode != 0 and "STAGE=prod" in started.stderr and "JWT_KEYS" in started.stderr
    local = _start("import app; print('served')")  # outside Lambda an unset STAGE is local, as `make run` is
    assert local.returncode == 0 and "served" in local.stdout, local.stderr


def test_the_public_development_key_is_refused_outside_local_and_test():
    from chalicelib.core.settings import DEV_SIGNING_KEY

    started = _start("import app", STAGE="prod", JWT_KEYS=f"k9:{'x' * 40},{DEV_SIGNING_KEY}")
    assert started.returncode != 0 and "development key" in started.stderr


@pytest.mark.parametrize("env", [{"STAGE": "local"}, {"STAGE": "test"},
                                 {"STAGE": "prod", "JWT_KEYS": "p1:prod-signing-key-0123456789abcdef0123"},
                                 {"STAGE": "prod", "JWT_KEYS_PARAMETER": "/catalog/prod/jwt-keys"}])
def test_local_test_or_a_configured_key_starts(env):
    started = _start("import app; print('served')", **env)
    assert started.returncode == 0 and "served" in started.stdout, started.stderr


def test_an_empty_key_parameter_never_falls_back_to_the_development_key(aws, monkeypatch, fresh_settings):
    import boto3

    from chalicelib.core import settings

    boto3.client("ssm", region_name="eu-west-1").put_parameter(Name="/catalog/prod/jwt-keys", Value=" ",
                                                               Type="SecureString")
    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.delenv("JWT_KEYS")
    monkeypatch.setenv("JWT_KEYS_PARAMETER", "/catalog/prod/jwt-keys")
    settings._jwt_keys.cache_clear()
    try:
        with pytest.raises(settings.ConfigurationError, match="empty"):
            settings.get_settings().jwt_keys  # noqa: B018
    finally:
        settings._jwt_keys.cache_clear()
