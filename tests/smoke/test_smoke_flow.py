"""Smoke: a client's session over real HTTP, on every stack of tests/smoke/conftest.py. On the deployed stack
each request below reaches its route's own Lambda function, so this is data written by one function read by
another (a product created by POST /products's, read by GET /products/{id}'s and by-slug's)."""
from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from ulid import ULID

from tests.builders import png_bytes
from tests.deployed import DeployedStack

TIMEOUT = 60  # a deployed function's first call starts a process (seconds on a loaded machine)


class Client:
    def __init__(self, url: str, token: str | None = None) -> None:
        self.url, self.token = url, token

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> requests.Response:
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return requests.request(method, f"{self.url}{path}", json=body, headers=headers, timeout=TIMEOUT)


def _login(stack: Any, email: str, password: str) -> Client:
    reply = Client(stack.url).call("POST", "/auth/login", {"email": email, "password": password})
    assert reply.status_code == 200, reply.text
    return Client(stack.url, reply.json()["data"]["access_token"])


def test_register_login_and_me(stack):
    email = f"smoke-{str(ULID()).lower()}@example.com"
    password = "Smoke-Passw0rd!"
    registered = Client(stack.url).call("POST", "/auth/register", {
        "name": "Smoke Test", "email": email, "password": password, "password_confirmation": password})
    assert registered.status_code == 201, registered.text
    assert registered.json()["data"]["user"]["roles"] == ["customer"]  # the seeded built-in role
    me = _login(stack, email, password).call("GET", "/auth/me")
    assert me.status_code == 200, me.text
    assert me.json()["data"]["email"] == email


def test_a_product_written_by_one_route_is_read_by_the_others(stack):
    admin = _login(stack, stack.admin_email, stack.admin_password)
    assert admin.call("GET", "/auth/me").json()["data"]["roles"] == ["admin"]
    category = admin.call("POST", "/product-categories", {"name": f"Smoke {ULID()}"})
    assert category.status_code == 201, category.text
    category_id = category.json()["data"]["id"]
    created = admin.call("POST", "/products", {"name": f"Trail shoe {ULID()}", "product_category_id": category_id})
    assert created.status_code == 201, created.text
    product = created.json()["data"]

    by_id = admin.call("GET", f"/products/{product['id']}")
    assert by_id.status_code == 200, by_id.text
    assert by_id.json()["data"]["category"]["id"] == category_id
    by_slug = admin.call("GET", f"/products/by-slug/{product['slug']}")
    assert by_slug.status_code == 200, by_slug.text
    assert by_slug.json()["data"]["id"] == product["id"]
    listed = admin.call("GET", "/products?per_page=100")
    assert listed.status_code == 200, listed.text
    assert product["id"] in [p["id"] for p in listed.json()["data"]]


def test_an_image_uploaded_through_the_presigned_post_becomes_ready(stack):
    admin = _login(stack, stack.admin_email, stack.admin_password)
    content = png_bytes(8, 8)
    asked = admin.call("POST", "/files", {"filename": "photo.png", "content_type": "image/png", "size": len(content)})
    assert asked.status_code == 201, asked.text
    file_id, upload = asked.json()["data"]["id"], asked.json()["data"]["upload"]
    sent = requests.post(upload["url"], data=upload["fields"], files={"file": ("photo.png", content, "image/png")},
                         timeout=TIMEOUT)
    assert sent.status_code == 204, sent.text
    if isinstance(stack, DeployedStack):
        # The bucket's ObjectCreated notification invokes OnUpload, which verifies the file: no /complete call.
        status = _wait_for_status(admin, file_id)
    else:  # chalice local has no S3 events: the client completes the upload itself
        done = admin.call("POST", f"/files/{file_id}/complete")
        assert done.status_code == 200, done.text
        status = done.json()["data"]["status"]
    assert status == "ready"
    url = admin.call("GET", f"/files/{file_id}").json()["data"]["url"]
    downloaded = requests.get(url, timeout=TIMEOUT)
    assert downloaded.status_code == 200 and downloaded.content == content


def _wait_for_status(client: Client, file_id: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while True:
        status = client.call("GET", f"/files/{file_id}").json()["data"]["status"]
        if status != "pending" or time.monotonic() > deadline:
            return status
        time.sleep(0.5)


def test_an_undeclared_method_is_a_405_envelope_with_allow(stack):
    reply = requests.delete(f"{stack.url}/health", timeout=TIMEOUT)
    assert reply.status_code == 405
    assert reply.json()["success"] is False
    assert reply.headers["Allow"].startswith("GET")


@pytest.mark.only_stack("deployed")  # one process serves every route of the local stack
def test_each_route_has_its_own_function_and_process(stack):
    """The API's integrations point the flow's routes at distinct functions, and each ran in its own worker."""
    assert isinstance(stack, DeployedStack)
    from infra.local_deployment import client

    deployment = stack.deployment
    apigw = client("apigateway", deployment.endpoint)
    resources = {r["path"]: r["id"] for r in apigw.get_resources(restApiId=deployment.api_id, limit=500)["items"]}
    flow = [("POST", "/products"), ("GET", "/products/{product_id}"), ("GET", "/products/by-slug/{slug}"),
            ("GET", "/products"), ("POST", "/auth/login"), ("GET", "/auth/me"), ("POST", "/files")]
    uris = {(m, p): apigw.get_integration(restApiId=deployment.api_id, resourceId=resources[p], httpMethod=m)["uri"]
            for m, p in flow}
    assert len(set(uris.values())) == len(flow)
    admin = _login(stack, stack.admin_email, stack.admin_password)
    assert admin.call("GET", "/auth/me").status_code == 200 and admin.call("GET", "/products").status_code == 200
    # MiniStack unpacks a function's code into a folder of its own when it starts that function's worker.
    workers = {d.name for d in (stack.emulator.workdir / "tmp").iterdir() if d.name.startswith("ministack-lambda-")}
    for logical in ("PostAuthLogin", "GetAuthMe", "GetProducts"):
        physical = deployment.physical[logical]
        assert sum(w.startswith(f"ministack-lambda-{physical}-") for w in workers) == 1, (physical, workers)


def test_a_cors_preflight_is_answered_with_the_stage_origins(stack):
    # Explicit OPTIONS methods (to Fallback when deployed), not SAM's Cors: the same answer on AWS and MiniStack.
    origin = "https://shop.example.com" if isinstance(stack, DeployedStack) else "http://localhost:3000"
    reply = requests.options(f"{stack.url}/products", timeout=TIMEOUT, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST"})
    assert reply.status_code == 204
    assert reply.headers["Access-Control-Allow-Origin"] == origin
    assert "POST" in reply.headers["Access-Control-Allow-Methods"]
