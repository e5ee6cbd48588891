"""A write whose answer is lost: DynamoDB applied the transaction, the client saw a timeout and retried.

The retried attempt carries the same ClientRequestToken, so the client gets 201, not "e-mail already used" (422)
or a conflict (409) caused by its own first attempt. The failure is injected at the botocore edge, after the
real call succeeded. moto ignores ClientRequestToken (a resent transaction runs again and fails its own
conditions), so those tests run where tokens are honoured: the DynamoDB Local pass of `make test`."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from chalicelib.core.table import Entity
from tests.builders import make_category
from tests.conftest import DYNAMODB_ENDPOINT

needs_tokens = pytest.mark.skipif(
    not DYNAMODB_ENDPOINT, reason="moto ignores ClientRequestToken; runs in the DynamoDB Local pass (make test)")

OPERATION = "dynamodb.TransactWriteItems"


def register_body(email: str) -> dict[str, str]:
    return {"name": "Lost Answer", "email": email, "password": "password123", "password_confirmation": "password123"}


def _client() -> Any:
    return Entity._get_connection().connection.client


@pytest.fixture
def hook() -> Iterator[Callable[[str, Callable[..., Any]], None]]:
    """Register a handler first on a botocore event of the table's client; unregistered after the test."""
    registered: list[str] = []

    def register(event: str, handler: Callable[..., Any]) -> None:
        _client().meta.events.register_first(event, handler, unique_id=f"test-{event}")
        registered.append(event)

    yield register
    for event in registered:
        _client().meta.events.unregister(event, unique_id=f"test-{event}")


def lose_first_answer_to_botocore_retry() -> tuple[Callable[..., Any], dict[str, int]]:
    """needs-retry handler: the first successful TransactWriteItems is treated as lost; botocore resends it."""
    seen = {"lost": 0, "sent": 0}

    def handler(response: Any = None, caught_exception: Any = None, **_: Any) -> int | None:
        seen["sent"] += 1
        if caught_exception is None and response is not None and response[0].status_code == 200 and not seen["lost"]:
            seen["lost"] += 1
            return 0  # retry at once, as after a read timeout
        return None

    return handler, seen


def lose_first_answer_to_the_service() -> tuple[Callable[..., Any], dict[str, int]]:
    """after-call handler: the call succeeded, then the client 'times out' once; botocore does not resend
    (its call is over), so the service's own retry loop must, with the same token."""
    seen = {"lost": 0}

    def handler(http_response: Any = None, **_: Any) -> None:
        if http_response is not None and http_response.status_code == 200 and not seen["lost"]:
            seen["lost"] += 1
            raise ReadTimeoutError(endpoint_url="http://dynamodb.local")

    return handler, seen


@needs_tokens
def test_register_whose_answer_botocore_lost_and_resent_is_201(api, hook):
    # botocore fills ClientRequestToken once per call (an idempotency token in the service model), so its own
    # resends are idempotent where the service honours tokens; this guards that the call keeps one token.
    handler, seen = lose_first_answer_to_botocore_retry()
    hook(f"needs-retry.{OPERATION}", handler)
    reply = api.post("/auth/register", register_body("lost.once@example.com"))
    assert seen == {"lost": 1, "sent": 2}  # the transaction reached DynamoDB twice
    assert reply.status == 201, reply.json
    login = api.post("/auth/login", {"email": "lost.once@example.com", "password": "password123"})
    assert login.status == 200 and login.data["user"]["id"] == reply.data["user"]["id"]


@needs_tokens
def test_register_whose_answer_the_service_lost_and_retried_is_201_not_email_taken(api, hook):
    handler, seen = lose_first_answer_to_the_service()
    hook(f"after-call.{OPERATION}", handler)
    reply = api.post("/auth/register", register_body("lost.twice@example.com"))
    assert seen["lost"] == 1
    assert reply.status == 201, reply.json  # a fresh token on the retry: 422 "adresse e-mail déjà utilisée"
    login = api.post("/auth/login", {"email": "lost.twice@example.com", "password": "password123"})
    assert login.status == 200 and login.data["user"]["id"] == reply.data["user"]["id"]


@needs_tokens
def test_create_whose_answer_the_service_lost_and_retried_is_201_once(api, admin, hook):
    category = make_category(api, admin.token)
    handler, seen = lose_first_answer_to_the_service()
    hook(f"after-call.{OPERATION}", handler)
    reply = api.post("/products", {"name": "Lost answer lamp", "product_category_id": category["id"]},
                     token=admin.token)
    assert seen["lost"] == 1
    assert reply.status == 201, reply.json  # a fresh token on the retry: 409
    listed = api.get("/products?per_page=100", token=admin.token)
    assert [p["id"] for p in listed.data if p["name"] == "Lost answer lamp"] == [reply.data["id"]]
    assert listed.json["meta"]["total"] == 1  # the counter moved once


@pytest.mark.parametrize("error", [
    ReadTimeoutError(endpoint_url="http://dynamodb.local"),
    ConnectionClosedError(endpoint_url="http://dynamodb.local"),
    EndpointConnectionError(endpoint_url="http://dynamodb.local"),
], ids=lambda e: type(e).__name__)
def test_a_write_that_never_gets_an_answer_is_503_with_retry_after(api, hook, error):
    attempts = {"n": 0}

    def no_answer(**_: Any) -> None:
        attempts["n"] += 1
        raise error

    hook(f"before-send.{OPERATION}", no_answer)
    reply = api.post("/auth/register", register_body("no.answer@example.com"))
    assert reply.status == 503, reply.json
    assert reply.headers["retry-after"] == "1"
    assert reply.json == {"success": False, "error": "Service temporairement indisponible, réessayez"}
    assert attempts["n"] > 1  # retried (same token) before giving up
