"""Files through HTTP: asking for an upload, the presigned POST, verification, reads, deletes, the S3 event."""
from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime
from urllib.parse import quote_plus

import pytest

from tests.builders import (
    ask_upload,
    file_item,
    jpeg_bytes,
    object_exists,
    png_bytes,
    put_pending,
    ready_file,
    webp_bytes,
)
from tests.conftest import make_account

TEN_MIB = 10 * 1024 * 1024


def _policy(reply) -> dict:
    return json.loads(base64.b64decode(reply.data["upload"]["fields"]["policy"]))


# --- asking for an upload -------------------------------------------------------------------------------


def test_upload_request_answers_a_presigned_post_pinning_key_type_and_size(api, staff):
    reply = ask_upload(api, staff.token, size=1234, filename="Été 2026.png")
    assert reply.status == 201
    assert reply.json["success"] is True and reply.json["message"]
    data = reply.data
    assert data["status"] == "pending" and data["id"]
    upload = data["upload"]
    key = f"pending/{data['id']}"
    assert upload["fields"]["key"] == key
    assert upload["fields"]["Content-Type"] == "image/png"
    assert upload["url"].startswith("https://") and upload["url"].endswith("/")
    policy = _policy(reply)
    conditions = policy["conditions"]
    assert {"key": key} in conditions
    assert {"Content-Type": "image/png"} in conditions
    assert ["content-length-range", 1234, 1234] in conditions
    assert {"bucket": "catalog-test-media"} in conditions
    # Valid ten minutes, and the answer says until when.
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))  # noqa: FURB162 - explicit
    assert 590 <= (expiration - datetime.now(UTC)).total_seconds() <= 601
    expires_at = datetime.fromisoformat(upload["expires_at"].replace("Z", "+00:00"))  # noqa: FURB162 - explicit
    assert abs((expires_at - expiration).total_seconds()) < 2
    assert reply.calls.count("TransactWriteItems") == 1 and len(reply.calls) <= 2


def test_pending_record_carries_a_ttl_so_abandoned_uploads_vanish(api, staff):
    reply = ask_upload(api, staff.token)
    item = file_item(reply.data["id"])
    assert item.status == "pending" and item.owner_id == staff.id
    assert time.time() + 3600 < item.expires_at <= time.time() + 25 * 3600


def test_prefixes_match_the_bucket_lifecycle_rule():
    from chalicelib.media import storage
    from infra import resources

    assert storage.PENDING_PREFIX == resources.PENDING_PREFIX and storage.FILES_PREFIX == resources.FILES_PREFIX
    rule = next(r for r in resources.bucket_lifecycle() if r["Prefix"] == resources.PENDING_PREFIX)
    assert rule["Status"] == "Enabled" and rule["ExpirationInDays"] >= 1


@pytest.mark.parametrize("body, field", [
    ({"content_type": "image/png", "size": 10}, "filename"),
    ({"filename": "", "content_type": "image/png", "size": 10}, "filename"),
    ({"filename": "   ", "content_type": "image/png", "size": 10}, "filename"),
    ({"filename": "x" * 256, "content_type": "image/png", "size": 10}, "filename"),
    ({"filename": "../etc/passwd", "content_type": "image/png", "size": 10}, "filename"),
    ({"filename": "dir\\photo.png", "content_type": "image/png", "size": 10}, "filename"),
    ({"filename": "a\x00b.png", "content_type": "image/png", "size": 10}, "filename"),
    ({"filename": "a.gif", "content_type": "image/gif", "size": 10}, "content_type"),
    ({"filename": "a.svg", "content_type": "image/svg+xml", "size": 10}, "content_type"),
    ({"filename": "a.png", "size": 10}, "content_type"),
    ({"filename": "a.png", "content_type": "image/png"}, "size"),
    ({"filename": "a.png", "content_type": "image/png", "size": 0}, "size"),
    ({"filename": "a.png", "content_type": "image/png", "size": -5}, "size"),
    ({"filename": "a.png", "content_type": "image/png", "size": TEN_MIB + 1}, "size"),
    ({"filename": "a.png", "content_type": "image/png", "size": 10.5}, "size"),
    ({"filename": "a.png", "content_type": "image/png", "size": "100"}, "size"),
    ({"filename": "a.png", "content_type": "image/png", "size": True}, "size"),
    ({"filename": "a.png", "content_type": "image/png", "size": 10, "status": "ready"}, "status"),
])
def test_invalid_upload_requests_are_422_in_the_envelope(api, staff, body, field):
    reply = api.post("/files", body, token=staff.token)
    assert reply.status == 422
    assert reply.json["success"] is False and reply.json["error"] == "Validation échouée"
    assert list(reply.errors) == [field] and reply.errors[field][0]


def test_validation_messages_follow_accept_language(api, staff):
    body = {"filename": "a.png", "content_type": "image/gif", "size": TEN_MIB + 1}
    fr = api.post("/files", body, token=staff.token)
    en = api.post("/files", body, token=staff.token, headers={"Accept-Language": "en"})
    assert fr.errors["size"] == ["La taille doit être comprise entre 1 octet et 10 Mio (10485760 octets)."]
    assert en.errors["size"] == ["The size must be between 1 byte and 10 MiB (10485760 bytes)."]
    assert en.errors["content_type"] == ["The content type must be image/jpeg, image/png or image/webp."]


def test_largest_allowed_size_is_accepted(api, staff):
    reply = ask_upload(api, staff.token, size=TEN_MIB, content_type="image/jpeg", filename="big.jpg")
    assert reply.status == 201
    assert ["content-length-range", TEN_MIB, TEN_MIB] in _policy(reply)["conditions"]


def test_customer_cannot_upload_and_anonymous_is_401(api, customer):
    assert ask_upload(api, customer.token).status == 403
    assert api.post("/files", {"filename": "a.png", "content_type": "image/png", "size": 3}).status == 401


def test_idempotency_key_replays_the_same_file(api, staff):
    body = {"filename": "a.png", "content_type": "image/png", "size": 73}
    first = api.post("/files", body, token=staff.token, headers={"Idempotency-Key": "k-1"})
    again = api.post("/files", body, token=staff.token, headers={"Idempotency-Key": "k-1"})
    assert first.status == again.status == 201
    assert again.data["id"] == first.data["id"] and again.headers["idempotent-replayed"] == "true"
    assert again.data["upload"]["fields"]["key"] == f"pending/{first.data['id']}"


# --- completing: the server-side check ------------------------------------------------------------------


@pytest.mark.parametrize("content, content_type, filename", [
    (png_bytes(), "image/png", "a.png"), (jpeg_bytes(), "image/jpeg", "a.jpg"), (webp_bytes(), "image/webp", "a.webp"),
])
def test_complete_checks_the_object_and_makes_the_file_ready(api, staff, content, content_type, filename):
    file_id = ask_upload(api, staff.token, content=content, content_type=content_type, filename=filename).data["id"]
    put_pending(file_id, content, content_type)
    reply = api.post(f"/files/{file_id}/complete", token=staff.token)
    assert reply.status == 200, reply.json
    assert reply.data["status"] == "ready" and reply.data["url"]
    assert len(reply.calls) <= 3
    item = file_item(file_id)
    assert item.status == "ready" and item.expires_at is None
    assert item.object_key.startswith("files/") and object_exists(item.object_key)
    assert not object_exists(f"pending/{file_id}")


def test_complete_is_idempotent(api, staff):
    file_id = ready_file(api, staff.token)
    again = api.post(f"/files/{file_id}/complete", token=staff.token)
    assert again.status == 200 and again.data["status"] == "ready"


def test_complete_before_any_upload_is_409_with_a_clear_message(api, staff):
    file_id = ask_upload(api, staff.token).data["id"]
    reply = api.post(f"/files/{file_id}/complete", token=staff.token, headers={"Accept-Language": "en"})
    assert reply.status == 409
    assert reply.json["success"] is False and "upload" in reply.json["error"].lower()
    assert file_item(file_id).status == "pending"


@pytest.mark.parametrize("announced, uploaded, content_type, why", [
    (len(png_bytes()), b"just some text, no image" + b"!" * 49, "image/png", "type"),
    (100, png_bytes() + b"\x00" * (200 - len(png_bytes())), "image/png", "size"),
    (64, b"\x89PNG\r\n\x1a\n" + b"\x00" * 56, "image/jpeg", "type"),
    (64, b"RIFF\x00\x00\x00\x00WAVE" + b"\x00" * 52, "image/webp", "type"),
])
def test_a_lying_upload_is_rejected_and_its_object_removed(api, staff, announced, uploaded, content_type, why):
    file_id = ask_upload(api, staff.token, content_type=content_type, size=announced).data["id"]
    put_pending(file_id, uploaded, content_type)
    reply = api.post(f"/files/{file_id}/complete", token=staff.token, headers={"Accept-Language": "en"})
    assert reply.status == 422
    assert reply.json["success"] is False
    message = reply.errors["file"][0]
    assert ("bytes instead of" in message) if why == "size" else ("does not match" in message)
    assert not object_exists(f"pending/{file_id}")
    seen = api.get(f"/files/{file_id}", token=staff.token)
    assert seen.status == 200 and seen.data["status"] == "rejected" and seen.data["url"] is None
    # Completing again does not resurrect it.
    assert api.post(f"/files/{file_id}/complete", token=staff.token).status == 422


# --- reading ----------------------------------------------------------------------------------------------


def test_get_a_ready_file_carries_a_short_lived_download_url(api, staff):
    file_id = ready_file(api, staff.token, filename="vue.png")
    reply = api.get(f"/files/{file_id}", token=staff.token)
    assert reply.status == 200 and len(reply.calls) <= 2
    data = reply.data
    assert {k: data[k] for k in ("id", "filename", "content_type", "size", "status")} == {
        "id": file_id, "filename": "vue.png", "content_type": "image/png", "size": len(png_bytes()), "status": "ready"}
    assert f"files/{file_id}.png" in data["url"] and "X-Amz-Expires=300" in data["url"]
    assert data["created_at"].endswith("Z") and reply.headers["etag"]


def test_a_pending_file_has_no_url(api, staff):
    file_id = ask_upload(api, staff.token).data["id"]
    reply = api.get(f"/files/{file_id}", token=staff.token)
    assert reply.status == 200 and reply.data["status"] == "pending" and reply.data["url"] is None


def test_others_files_are_404_but_files_delete_holders_see_them(api, staff, manager):
    file_id = ready_file(api, staff.token)
    other = make_account(["staff"])
    assert api.get(f"/files/{file_id}", token=other.token).status == 404
    assert api.post(f"/files/{file_id}/complete", token=other.token).status == 404
    assert api.delete(f"/files/{file_id}", token=other.token).status == 404
    assert api.get(f"/files/{file_id}", token=manager.token).status == 200


def test_unknown_file_is_404(api, admin):
    reply = api.get("/files/01NOPE", token=admin.token)
    assert reply.status == 404 and reply.json["success"] is False


def test_an_expired_pending_file_is_gone_before_the_ttl_sweeps_it(api, staff):
    file_id = ask_upload(api, staff.token).data["id"]
    item = file_item(file_id)
    item.update(actions=[type(item).expires_at.set(int(time.time()) - 1)])
    assert api.get(f"/files/{file_id}", token=staff.token).status == 404


# --- deleting ---------------------------------------------------------------------------------------------


def test_owner_deletes_a_file_and_its_object(api, staff):
    file_id = ready_file(api, staff.token)
    key = file_item(file_id).object_key
    reply = api.delete(f"/files/{file_id}", token=staff.token)
    assert reply.status == 200 and reply.json["data"] is None and reply.json["message"]
    assert len(reply.calls) <= 3
    assert not object_exists(key)
    assert api.get(f"/files/{file_id}", token=staff.token).status == 404


def test_files_delete_holder_deletes_someone_elses_file(api, staff, manager):
    file_id = ready_file(api, staff.token)
    assert api.delete(f"/files/{file_id}", token=manager.token).status == 200
    assert api.get(f"/files/{file_id}", token=staff.token).status == 404


# --- the S3 event path ---------------------------------------------------------------------------------


def test_s3_object_created_event_makes_the_file_ready(api, staff):
    content = png_bytes(4, 4)
    file_id = ask_upload(api, staff.token, content=content).data["id"]
    put_pending(file_id, content)
    event = api.client.events.generate_s3_event("catalog-test-media", quote_plus(f"pending/{file_id}"))
    result = api.client.lambda_.invoke("on_upload", event)
    assert result.payload == {"files": [{"id": file_id, "status": "ready"}]}
    reply = api.get(f"/files/{file_id}", token=staff.token)
    assert reply.data["status"] == "ready" and reply.data["url"]
    assert not object_exists(f"pending/{file_id}")
    # A late /complete (the client did not know) answers the same file.
    assert api.post(f"/files/{file_id}/complete", token=staff.token).data["status"] == "ready"


def test_s3_event_rejects_a_lying_upload(api, staff):
    file_id = ask_upload(api, staff.token, size=50).data["id"]
    put_pending(file_id, b"GIF89a" + b"\x00" * 44, "image/png")
    event = api.client.events.generate_s3_event("catalog-test-media", f"pending/{file_id}")
    assert api.client.lambda_.invoke("on_upload", event).payload == {"files": [{"id": file_id, "status": "rejected"}]}
    assert file_item(file_id).status == "rejected"
    assert not object_exists(f"pending/{file_id}")


def test_s3_event_ignores_other_prefixes_and_events(api, staff):
    file_id = ready_file(api, staff.token)
    moved = api.client.events.generate_s3_event("catalog-test-media", f"files/{file_id}.png")
    removed = api.client.events.generate_s3_event("catalog-test-media", f"pending/{file_id}",
                                                  event_name="ObjectRemoved:Delete")
    unknown = api.client.events.generate_s3_event("catalog-test-media", "pending/01UNKNOWN")
    assert api.client.lambda_.invoke("on_upload", moved).payload == {"files": []}
    assert api.client.lambda_.invoke("on_upload", removed).payload == {"files": []}
    assert api.client.lambda_.invoke("on_upload", unknown).payload == {"files": [{"id": "01UNKNOWN", "status": "unknown"}]}


def test_event_and_complete_racing_settle_the_file_once(api, staff):
    import threading

    from chalicelib.media.services.files import verify_upload

    content = png_bytes(3, 3)
    file_id = ask_upload(api, staff.token, content=content).data["id"]
    put_pending(file_id, content)
    outcomes: list[str] = []
    loaded = [file_item(file_id), file_item(file_id)]  # both verifiers start from the pending record
    threads = [threading.Thread(target=lambda item=item: outcomes.append(verify_upload(item)[0].status))
               for item in loaded]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["ready", "ready"]
    item = file_item(file_id)
    assert item.status == "ready" and item.version == 2  # one transition, not two
    assert object_exists(item.object_key) and not object_exists(f"pending/{file_id}")
