"""File use cases: ask for an upload, verify it (from /complete or an S3 event), read, delete."""
from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from pynamodb.exceptions import UpdateError
from ulid import ULID

from chalicelib.core import keys
from chalicelib.core.batch import batch_get
from chalicelib.core.concurrency import lost_every_race
from chalicelib.core.errors import Conflict, NotFound, TxCancelled, ValidationFailed
from chalicelib.core.table import Entity, error_code, now_iso
from chalicelib.core.tx import Tx
from chalicelib.media import messages, policies, storage
from chalicelib.media.models import FileItem
from chalicelib.media.schemas import FileCreate, FileUploadOut, UploadOut

log = logging.getLogger("catalog")

# A pending record outlives its 10-minute upload window by a day, like the bucket's lifecycle rule on the
# pending prefix; DynamoDB's TTL then removes it. Rejected records linger as long, so clients can read why.
PENDING_TTL = 24 * 3600
MAX_TX_PARTS = 99  # one part of every transaction is the file itself

_MAGIC = {
    "image/jpeg": lambda head: head[:3] == b"\xff\xd8\xff",
    "image/png": lambda head: head[:8] == b"\x89PNG\r\n\x1a\n",
    "image/webp": lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP",
}


class UploadRejected(ValidationFailed):
    """The object did not match what was announced; the file is now `rejected` and the object gone."""

    def __init__(self, reason: str) -> None:
        super().__init__(messages.UPLOAD_REJECTED, errors={"file": [reason]})


def request_upload(data: FileCreate, *, actor: Any) -> FileUploadOut:
    """Record a pending file and hand back a presigned POST for exactly that key, type and size."""
    file_id = str(ULID())
    now = now_iso()
    item = FileItem(*keys.file_key(file_id), id=file_id, owner_id=actor.user_id, filename=data.filename,
                    content_type=data.content_type, size=data.size, status="pending",
                    object_key=storage.pending_key(file_id), created_at=now, updated_at=now,
                    expires_at=int(time.time()) + PENDING_TTL)
    tx = Tx()
    tx.create(item, label="file")
    tx.commit(created_id=file_id)
    return upload_out(item)


def upload_out(item: FileItem) -> FileUploadOut:
    """The answer of `POST /files`, with a fresh policy (an Idempotency-Key replay gets a new one too)."""
    post = storage.presigned_post(item.object_key, item.content_type, int(item.size))
    expires = datetime.fromtimestamp(time.time() + storage.UPLOAD_TTL, UTC)
    expires_at = expires.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return FileUploadOut(id=item.id, status="pending",
                         upload=UploadOut(url=post["url"], fields=post["fields"], expires_at=expires_at))


def replay_upload(file_id: str) -> FileUploadOut:
    """Render `POST /files` again for an Idempotency-Key retry."""
    return upload_out(_load(file_id))


def _load(file_id: str) -> FileItem:
    try:
        item = FileItem.get(*keys.file_key(file_id), consistent_read=True)
    except FileItem.DoesNotExist:
        raise NotFound(messages.FILE_NOT_FOUND) from None
    # DynamoDB's TTL deletes late; an expired pending record is already gone for clients.
    if item.status == "pending" and item.expires_at is not None and item.expires_at < time.time():
        raise NotFound(messages.FILE_NOT_FOUND)
    return item


def get_file(file_id: str, *, actor: Any) -> FileItem:
    """A file its uploader (or a files.delete holder) may see; anyone else gets 404."""
    item = _load(file_id)
    if not policies.can_manage_file(actor, item):
        raise NotFound(messages.FILE_NOT_FOUND)
    return item


def complete_upload(file_id: str, *, actor: Any) -> FileItem:
    """The client says the upload is done: verify it now (idempotent; a ready file is returned as is)."""
    item = get_file(file_id, actor=actor)
    if item.status == "rejected":
        raise UploadRejected(messages.ALREADY_REJECTED.render())
    item, reason = verify_upload(item)
    if item.status == "ready":
        return item
    raise UploadRejected(reason or messages.ALREADY_REJECTED.render())


def verify_upload(item: FileItem) -> tuple[FileItem, str | None]:
    """Check the object's real size and first bytes against the announcement, then ready or rejected (and why).

    Safe to run twice at once (the S3 event and /complete may race): the status changes under a condition,
    and the loser re-reads the winner's outcome.
    """
    from botocore.exceptions import ClientError

    if item.status != "pending":
        return item, None
    target = storage.final_key(item.id, item.content_type)
    stored = storage.inspect(item.object_key)
    if stored is None:
        fresh = _load(item.id)
        if fresh.status != "pending":
            return fresh, None
        if storage.inspect(target) is not None:  # another verifier moved it (checked) and has not settled yet
            return _settle(item, status="ready", object_key=target), None
        raise Conflict(messages.NOT_UPLOADED)
    reason = _mismatch(item, stored)
    if reason is not None:
        storage.delete(item.object_key)
        log.info("upload rejected", extra={"file_id": item.id, "reason": reason})
        return _settle(item, status="rejected"), reason
    try:
        storage.move(item.object_key, target)
    except ClientError:
        fresh = _load(item.id)
        if fresh.status != "pending":  # another verifier moved it and settled first
            return fresh, None
        if storage.inspect(target) is not None:  # it moved the object we checked but has not settled yet
            return _settle(item, status="ready", object_key=target), None
        raise
    return _settle(item, status="ready", object_key=target), None


def _mismatch(item: FileItem, stored: storage.StoredObject) -> str | None:
    if stored.size != int(item.size):
        return messages.SIZE_MISMATCH.render(actual=stored.size, expected=int(item.size))
    if not _MAGIC[item.content_type](stored.head):
        return messages.TYPE_MISMATCH.render(content_type=item.content_type)
    return None


def _settle(item: FileItem, *, status: str, object_key: str | None = None) -> FileItem:
    """pending → ready | rejected, once: a lost race returns the state the winner wrote."""
    actions = [FileItem.status.set(status), FileItem.version.add(1), FileItem.updated_at.set(now_iso())]
    if object_key is not None:
        actions.append(FileItem.object_key.set(object_key))
    if status == "ready":
        actions.append(FileItem.expires_at.remove())  # a ready file is kept
    else:
        actions.append(FileItem.expires_at.set(int(time.time()) + PENDING_TTL))
    try:
        item.update(actions=actions, condition=(FileItem.status == "pending"))
    except UpdateError as exc:
        if error_code(exc) != "ConditionalCheckFailedException":
            raise
        return _load(item.id)
    return item


def handle_upload_event(event: dict[str, Any]) -> list[dict[str, str]]:
    """S3 ObjectCreated records under the pending prefix: verify each upload (the event path to `ready`)."""
    outcomes: list[dict[str, str]] = []
    for record in event.get("Records") or []:
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        key = unquote_plus(((record.get("s3") or {}).get("object") or {}).get("key", ""))
        if not key.startswith(storage.PENDING_PREFIX):
            continue
        file_id = key[len(storage.PENDING_PREFIX):]
        try:
            item = _load(file_id)
            status = verify_upload(item)[0].status
        except NotFound:
            status = "unknown"  # expired or never asked for: the lifecycle rule removes the object
        except Conflict:
            status = "missing"  # deleted again before we looked
        log.info("upload event", extra={"file_id": file_id, "status": status})
        outcomes.append({"id": file_id, "status": status})
    return outcomes


def delete_file(file_id: str, *, actor: Any, attempts: int = 3) -> None:
    """Delete the record, take the file out of every gallery in the same transaction, then the object."""
    for _ in range(attempts):
        item = get_file(file_id, actor=actor)
        try:
            _delete_with_galleries(item)
        except TxCancelled:
            continue  # a gallery or the file changed under us: read again
        storage.delete(item.object_key)
        return
    raise lost_every_race("file.delete")


def _delete_with_galleries(item: FileItem) -> None:
    refs = sorted(item.galleries or ())
    owners = batch_get(keys.gallery_owner_key(r) for r in refs)
    version = item.version
    # More galleries than one transaction holds: detach chunk by chunk, the file's version guarding each.
    while len(refs) > MAX_TX_PARTS:
        chunk, refs = refs[:MAX_TX_PARTS - 1], refs[MAX_TX_PARTS - 1:]
        tx = Tx()
        tx.update(FileItem, keys.file_key(item.id), [FileItem.galleries.delete(set(chunk)), FileItem.version.add(1)],
                  condition=FileItem.version == version, label="file")
        _remove_from_owners(tx, item.id, chunk, owners)
        tx.commit()
        version += 1
    tx = Tx()
    tx.delete(FileItem, keys.file_key(item.id), condition=FileItem.version == version, label="file")
    _remove_from_owners(tx, item.id, refs, owners)
    tx.commit()


def _remove_from_owners(tx: Tx, file_id: str, refs: list[str], owners: dict[tuple[str, str], Any]) -> None:
    for ref in refs:
        owner = owners.get(keys.gallery_owner_key(ref))
        if owner is None or file_id not in (owner.gallery or []):
            continue  # the product or variant is gone already: nothing to clean
        gallery = [f for f in owner.gallery if f != file_id]
        tx.update(type(owner), (owner.pk, owner.sk),
                  [type(owner).gallery.set(gallery), Entity.version.add(1), Entity.updated_at.set(now_iso())],
                  condition=Entity.version == owner.version, label=ref)
