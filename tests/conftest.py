"""Test harness: moto as the AWS fake, the Chalice test client, builders for users and tokens."""
from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from typing import Any, Iterator

import pytest

# The environment the app reads, fixed before anything imports it.
for _var in [v for v in os.environ if v.startswith("AWS_ENDPOINT_URL")]:
    del os.environ[_var]
os.environ.update({
    "STAGE": "test", "TABLE_NAME": "catalog-test", "BUCKET_NAME": "catalog-test-media",
    "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "JWT_KEYS": "k2:test-signing-key-two-0123456789abcdef0123,k1:test-signing-key-one-0123456789abcdef0123",
    "CORS_ORIGINS": "http://127.0.0.1:3000", "LOG_LEVEL": "INFO", "PASSWORD_HASH_COST": "test",
    "DDB_CALLS_HEADER": "1",  # the call meter over HTTP (off by default: it is an enumeration oracle)
})
# TEST_DYNAMODB_ENDPOINT (make test-ddblocal): DynamoDB goes to that emulator (AWS's DynamoDB Local), which is
# stricter than moto; mock_aws intercepts AWS hostnames only, so S3 and the rest stay mocked.
DYNAMODB_ENDPOINT = os.environ.get("TEST_DYNAMODB_ENDPOINT")
if DYNAMODB_ENDPOINT:
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = DYNAMODB_ENDPOINT

import chalice.test as chalice_test  # noqa: E402
from chalice.test import Client  # noqa: E402
from moto import mock_aws  # noqa: E402

from infra.resources import create_local_resources  # noqa: E402
from infra.standins import make_moto_dynamodb_atomic, patch_local_gateway  # noqa: E402

patch_local_gateway()
make_moto_dynamodb_atomic()


@contextlib.contextmanager
def _keep_environ(self: Any, environment_variables: Any) -> Iterator[None]:
    # chalice's test client swaps os.environ for a copy around each request; requests on threads restore each
    # other's copies and leave one behind. The environment set above is the one the app must see, so keep it.
    yield


chalice_test.BaseClient._patched_env_vars = _keep_environ  # type: ignore[method-assign]



@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh moto account with the table, its indexes and the bucket, and the built-in roles."""
    import boto3

    with mock_aws():
        if DYNAMODB_ENDPOINT:  # a fresh table per test, as moto gives
            dynamodb = boto3.client("dynamodb", region_name="eu-west-1")
            if os.environ["TABLE_NAME"] in dynamodb.list_tables()["TableNames"]:
                dynamodb.delete_table(TableName=os.environ["TABLE_NAME"])
        create_local_resources(boto3.client("dynamodb", region_name="eu-west-1"),
                               boto3.client("s3", region_name="eu-west-1"),
                               os.environ["TABLE_NAME"], os.environ["BUCKET_NAME"], ["http://127.0.0.1:3000"])
        from chalicelib.identity.seed import seed_builtin_roles

        seed_builtin_roles()
        yield


@dataclass
class Reply:
    """One HTTP answer as a client sees it (header names lower-cased), plus the DynamoDB operations it made."""

    status: int
    headers: dict[str, str]
    body: bytes
    calls: list[str]

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def data(self) -> Any:
        return self.json["data"]

    @property
    def errors(self) -> dict[str, list[str]]:
        return self.json.get("errors") or {}


RESENDS = 8  # a client sends a 503 again after its Retry-After, this many times at most


def resend_while_busy(call: Any) -> Reply:
    """What a client following the docs ends with: a 503 (busy or throttled, nothing written) is sent again
    after its Retry-After, at most RESENDS times. For tests that race many writers on one item."""
    import time

    for _ in range(RESENDS):
        reply = call()
        if reply.status != 503:
            return reply
        assert reply.headers["retry-after"] == "1", reply.headers
        time.sleep(int(reply.headers["retry-after"]))
    return call()


class Api:
    """`api.get("/users", token=t)`: JSON in, Reply out, through chalice's test client."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def request(self, method: str, path: str, *, json_body: Any = None, token: str | None = None,
                headers: dict[str, str] | None = None, raw: bytes | str | None = None) -> Reply:
        from chalicelib.core.meter import metered_calls

        sent = {"Content-Type": "application/json"} if (json_body is not None or raw is not None) else {}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        sent.update(headers or {})
        body = raw if raw is not None else (json.dumps(json_body) if json_body is not None else None)
        response = self.client.http.request(method, path, headers=sent, body=body)
        return Reply(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                     response.body or b"", list(metered_calls()))

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Reply:
        return self.request("POST", path, json_body=json if json is not None else {}, **kw)

    def put(self, path: str, json: Any = None, **kw: Any) -> Reply:
        return self.request("PUT", path, json_body=json if json is not None else {}, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> Reply:
        return self.request("PATCH", path, json_body=json if json is not None else {}, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.request("DELETE", path, **kw)


@pytest.fixture
def api(aws: None) -> Iterator[Api]:
    from app import app

    with Client(app, stage_name="test") as client:
        yield Api(client)


@dataclass
class Account:
    id: str
    email: str
    password: str
    token: str
    refresh_token: str


_counter = {"n": 0}


def make_account(roles: list[str], *, email: str | None = None, password: str = "Secret123!",
                 name: str = "Test User") -> Account:
    """Create a user with `roles` through the account service and log it in (no HTTP)."""
    from chalicelib.identity.accounts import new_account
    from chalicelib.identity.sessions import start_session

    _counter["n"] += 1
    email = email or f"user{_counter['n']}@example.com"
    tx, user = new_account(name, email, password, roles)
    tx.commit()
    tokens = start_session(user)
    return Account(user.id, email, password, tokens.access_token, tokens.refresh_token)


@pytest.fixture
def admin(aws: None) -> Account:
    return make_account(["admin"], name="Admin")


@pytest.fixture
def manager(aws: None) -> Account:
    return make_account(["manager"], name="Manager")


@pytest.fixture
def staff(aws: None) -> Account:
    return make_account(["staff"], name="Staff")


@pytest.fixture
def customer(aws: None) -> Account:
    return make_account(["customer"], name="Customer")
