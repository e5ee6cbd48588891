"""Real HTTP uploads: the S3 stand-in runs as a server (moto's ThreadedMotoServer) and the presigned POST and GET
are used with `requests`, exactly as a client would."""
from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests

from tests.builders import ask_upload, file_item, object_exists, png_bytes

ORIGIN = "http://127.0.0.1:3000"  # in the bucket's CORS rules (tests/conftest.py)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3_server(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto in server mode on a free port; it shares the in-process fake's state (same bucket)."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    try:
        yield endpoint
    finally:
        server.stop()


def _upload(upload: dict, content: bytes, filename: str = "photo.png", content_type: str = "image/png",
            origin: str = ORIGIN) -> requests.Response:
    # The fields first, the file last: S3 ignores anything after the file part.
    return requests.post(upload["url"], data=upload["fields"], files={"file": (filename, content, content_type)},
                         headers={"Origin": origin}, timeout=10)


def test_browser_style_upload_complete_and_download_the_same_bytes(api, staff, s3_server):
    content = png_bytes(8, 8)
    reply = ask_upload(api, staff.token, content=content)
    assert reply.status == 201
    upload = reply.data["upload"]
    assert upload["url"] == f"{s3_server}/catalog-test-media"  # path-style against the stand-in
    sent = _upload(upload, content)
    assert sent.status_code == 204, sent.text
    assert sent.headers.get("Access-Control-Allow-Origin") == ORIGIN  # a cross-origin page may read the answer

    file_id = reply.data["id"]
    done = api.post(f"/files/{file_id}/complete", token=staff.token)
    assert done.status == 200 and done.data["status"] == "ready"
    url = api.get(f"/files/{file_id}", token=staff.token).data["url"]
    assert url.startswith(f"{s3_server}/catalog-test-media/files/{file_id}.png?")
    downloaded = requests.get(url, timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content == content
    assert downloaded.headers["Content-Type"] == "image/png"


def test_a_lying_upload_through_the_stand_in_is_rejected(api, staff, s3_server):
    # The stand-in ignores the policy's conditions, so only the server-side check stops this.
    reply = ask_upload(api, staff.token, size=100)
    file_id = reply.data["id"]
    assert _upload(reply.data["upload"], png_bytes() + b"\x00" * (200 - len(png_bytes()))).status_code == 204
    done = api.post(f"/files/{file_id}/complete", token=staff.token)
    assert done.status == 422 and done.errors["file"]
    assert file_item(file_id).status == "rejected"
    assert not object_exists(f"pending/{file_id}")


def test_text_announced_as_png_is_rejected(api, staff, s3_server):
    text = b"hello, I am not a picture"
    reply = ask_upload(api, staff.token, size=len(text))
    assert _upload(reply.data["upload"], text, "note.txt", "text/plain").status_code == 204
    done = api.post(f"/files/{reply.data['id']}/complete", token=staff.token)
    assert done.status == 422
    assert not object_exists(f"pending/{reply.data['id']}")


def test_the_bucket_cors_rules_allow_the_configured_origins_to_post(api, s3_server):
    from tests.builders import bucket, s3

    rules = s3().get_bucket_cors(Bucket=bucket())["CORSRules"]
    assert any(ORIGIN in r["AllowedOrigins"] and "POST" in r["AllowedMethods"] for r in rules)
    preflight = requests.options(f"{s3_server}/{bucket()}", timeout=10, headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert preflight.headers.get("Access-Control-Allow-Origin") == ORIGIN
