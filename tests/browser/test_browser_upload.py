"""A real browser (headless Chromium through Playwright) uploads an image the way a web client would: a static page
on one origin logs in to the API (a real HTTP server: the `make run` stack) on another, asks for an upload, POSTs
the file straight to the S3 stand-in (a third origin, so CORS is exercised for real), completes it and attaches it
to a product. The test then checks through the API that the product's gallery holds the file."""
from __future__ import annotations

import base64
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from tests.live import LiveStack, free_port, start_stack

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def page_origin() -> Iterator[str]:
    """tests/browser/ served by a static server on its own origin."""
    handler = functools.partial(_QuietHandler, directory=str(HERE))
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Stack:
    live: LiveStack
    env: dict[str, str]  # what reaches the stack's own table and bucket (its stage configuration)

    @property
    def api(self) -> str:
        return self.live.url

    def provision(self, *args: str) -> dict[str, Any]:
        """tests/browser/provision.py against the stack's own table."""
        done = subprocess.run([sys.executable, str(HERE / "provision.py"), *args], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def stack(page_origin: str) -> Iterator[Stack]:
    """The `make run` stack on free ports (tests/live.py), the page's origin allowed by CORS_ORIGINS."""
    live = start_stack({"CORS_ORIGINS": page_origin})
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    for key in ("STAGE", "TABLE_NAME", "BUCKET_NAME", "CORS_ORIGINS", "JWT_KEYS"):
        env.pop(key, None)  # as start_stack does: the stack runs on its stage's configuration
    env.update(config["environment_variables"])
    env.update(config["stages"]["local"]["environment_variables"])
    env.update({"AWS_ENDPOINT_URL_DYNAMODB": live.aws_url, "AWS_ENDPOINT_URL_S3": live.aws_url,
                "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"})
    try:
        yield Stack(live, env)
    finally:
        live.stop()


def _login_route_exists() -> bool:
    from app import app

    return "POST" in app.routes.get("/auth/login", {})


def _product_read_route() -> str | None:
    from app import app

    for path, methods in app.routes.items():
        if path.startswith("/products/{") and path.count("/") == 2 and "GET" in methods:
            return path
    return None


def run_page(url: str) -> tuple[str, str, list[str]]:
    """Open the page in headless Chromium (the system's; nothing is downloaded) and wait for it to finish."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    console: list[str] = []
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                page = context.new_page()
                page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
                page.goto(url)
                page.wait_for_function("document.body.dataset.state !== 'running'", timeout=60_000)
                return page.evaluate("document.body.dataset.state"), page.inner_text("#result"), console
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_a_browser_uploads_to_s3_and_fills_a_product_gallery(stack: Stack, page_origin: str) -> None:
    product_id = stack.provision("product")["id"]
    settings = {"api": stack.api, "product": product_id}
    email, password = stack.live.admin_email, stack.live.admin_password
    if _login_route_exists():
        settings.update(email=email, password=password)
    else:  # the identity routes are not there yet: hand the page a token for the seeded admin
        settings["token"] = stack.provision("token", email)["access_token"]

    state, result, console = run_page(f"{page_origin}/upload.html#{urlencode(settings)}")
    assert state == "done", f"{result}\nconsole:\n" + "\n".join(console)
    outcome = json.loads(result)
    file_id = outcome["file_id"]
    assert outcome["status"] == "ready" and outcome["gallery"] == [file_id]

    # Through the API, as any client: the file is ready and downloads as the very PNG the browser drew.
    token = settings.get("token") or requests.post(f"{stack.api}/auth/login", timeout=10, json={
        "email": email, "password": password}).json()["data"]["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    file = requests.get(f"{stack.api}/files/{file_id}", headers=headers, timeout=10).json()["data"]
    assert file["status"] == "ready" and file["content_type"] == "image/png"
    png = base64.b64decode(outcome["png_base64"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and file["size"] == len(png)
    assert requests.get(file["url"], timeout=10).content == png

    read_route = _product_read_route()
    if read_route is not None:  # the catalog's product read renders the gallery with media's file_out
        product = requests.get(stack.api + read_route.split("{")[0] + product_id, headers=headers, timeout=10)
        assert [f["id"] for f in product.json()["data"]["gallery"]] == [file_id]
    assert stack.provision("gallery", product_id)["gallery"] == [file_id]
