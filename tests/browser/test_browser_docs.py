"""The interactive reference as a person sees it: headless Chromium (the system's, through Playwright) opens
GET /docs on the `make run` stack, Swagger UI renders the API's operations from /openapi.json, and every
request the page makes goes to the API's own origin: none leaves 127.0.0.1 (any that tried is aborted and
fails the test)."""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.test_browser_upload import CHROMIUM, CHROMIUM_ARGS
from tests.live import LiveStack, start_stack


@pytest.fixture
def stack() -> Iterator[LiveStack]:
    live = start_stack()
    try:
        yield live
    finally:
        live.stop()


def _open_docs(url: str) -> dict[str, Any]:
    """Open the page, wait for Swagger UI to draw the operations, and report what the browser did."""
    from playwright.sync_api import sync_playwright

    api = urlsplit(url)
    requested: list[str] = []
    refused: list[str] = []
    console: list[str] = []
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                def guard(route: Any) -> None:
                    target = urlsplit(route.request.url)
                    if target.scheme == "data" or (target.hostname == "127.0.0.1" and target.port == api.port):
                        route.continue_()
                    else:
                        refused.append(route.request.url)
                        route.abort()

                context.route("**/*", guard)
                context.on("request", lambda request: requested.append(request.url))
                page = context.new_page()
                page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
                response = page.goto(f"{url}/docs")
                page.wait_for_selector(".opblock-summary", timeout=60_000)
                page.wait_for_load_state("networkidle")
                summaries = page.eval_on_selector_all(
                    ".opblock-summary",
                    "nodes => nodes.map(n => n.querySelector('.opblock-summary-method').innerText + ' ' +"
                    " n.querySelector('.opblock-summary-path').getAttribute('data-path'))")
                return {"status": response.status if response else None, "title": page.title(),
                        "operations": summaries, "requested": requested, "refused": refused, "console": console}
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_the_docs_page_renders_every_operation_with_no_request_beyond_the_api(stack: LiveStack) -> None:
    import requests

    seen = _open_docs(stack.url)
    assert seen["status"] == 200, seen
    operations = set(seen["operations"])
    assert {"GET /products", "POST /products", "GET /products/{product_id}", "POST /auth/login",
            "GET /health"} <= operations, sorted(operations)
    document = requests.get(f"{stack.url}/openapi.json", timeout=10).json()
    expected = {f"{method.upper()} {path}" for path, methods in document["paths"].items() for method in methods}
    assert operations == expected  # every operation of the document, nothing else

    assert seen["refused"] == [], seen["refused"]
    origins = {urlsplit(u)[:2] for u in seen["requested"] if not u.startswith("data:")}
    assert origins == {("http", urlsplit(stack.url).netloc)}, origins
    fetched = {urlsplit(u).path for u in seen["requested"]}
    assert {"/docs", "/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/init.js",
            "/openapi.json"} <= fetched, fetched
    errors = [line for line in seen["console"] if line.startswith("error")]
    assert errors == [], errors  # no script error, no Content-Security-Policy refusal
