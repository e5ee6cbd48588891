"""A real browser (headless Chromium through Playwright) uploads an image the way a web client would: a static page
on one origin logs in to the API (a real HTTP server: the `make run` stack) on another, asks for an upload, POSTs
the file straight to the S3 stand-in (a third origin, so CORS is exercised for real), completes it and attaches it
to a product. The test then checks through the API that the product's gallery holds the file."""
from __future__ import annotations

import base64
import functools
import json
import shutil
import tempfile
import threading
from collections.abc import Iterator
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
                 "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-dev-shm-usage"]  # containers often have a tiny /dev/shm


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


@pytest.fixture
def stack(page_origin: str) -> Iterator[LiveStack]:
    """The `make run` stack on free ports (tests/live.py), the page's origin allowed by CORS_ORIGINS."""
    live = start_stack({"CORS_ORIGINS": page_origin})
    try:
        yield live
    finally:
        live.stop()


def _admin_token(stack: LiveStack) -> str:
    reply = requests.post(f"{stack.url}/auth/login", timeout=10,
                          json={"email": stack.admin_email, "password": stack.admin_password})
    assert reply.status_code == 200, reply.text
    return reply.json()["data"]["access_token"]


def _create_product(stack: LiveStack, headers: dict[str, str]) -> str:
    category = requests.post(f"{stack.url}/product-categories", json={"name": "Swatches"}, headers=headers, timeout=10)
    assert category.status_code == 201, category.text
    product = requests.post(f"{stack.url}/products", headers=headers, timeout=10, json={
        "name": "Browser swatch", "product_category_id": category.json()["data"]["id"]})
    assert product.status_code == 201, product.text
    return product.json()["data"]["id"]


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


def test_a_browser_uploads_to_s3_and_fills_a_product_gallery(stack: LiveStack, page_origin: str) -> None:
    headers = {"Authorization": f"Bearer {_admin_token(stack)}"}
    product_id = _create_product(stack, headers)
    # The page logs in by itself, with the seeded admin's credentials.
    settings = {"api": stack.url, "product": product_id, "email": stack.admin_email, "password": stack.admin_password}

    state, result, console = run_page(f"{page_origin}/upload.html#{urlencode(settings)}")
    assert state == "done", f"{result}\nconsole:\n" + "\n".join(console)
    outcome = json.loads(result)
    file_id = outcome["file_id"]
    assert outcome["status"] == "ready" and outcome["gallery"] == [file_id]

    # Through the API, as any client: the product's gallery holds the file, which downloads as the very PNG
    # the browser drew.
    product = requests.get(f"{stack.url}/products/{product_id}", headers=headers, timeout=10)
    assert product.status_code == 200, product.text
    gallery = product.json()["data"]["gallery"]
    assert [f["id"] for f in gallery] == [file_id]
    file = requests.get(f"{stack.url}/files/{file_id}", headers=headers, timeout=10).json()["data"]
    assert file["status"] == "ready" and file["content_type"] == "image/png"
    png = base64.b64decode(outcome["png_base64"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and file["size"] == len(png)
    assert requests.get(gallery[0]["url"], timeout=10).content == png
