"""HTTP routes of the media domain (thin views: parse, authorize, call a service, respond), and the S3 event handler."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.core.http import Req, route
from chalicelib.core.lazy import lazy_import
from chalicelib.media import messages
from chalicelib.media.schemas import (
    FileCreate,
    FileOut,
    FileUploadOut,
    file_out,
)

# Loaded on first use, inside a request: importing app.py stays free of PynamoDB/botocore (cold start).
files = lazy_import("chalicelib.media.services.files")

bp = Blueprint(__name__)


@route(bp, "POST", "/files", summary="Ask for an upload: a presigned S3 POST for one image", body=FileCreate,
       response=FileUploadOut, status=201, permission="files.upload", message=messages.UPLOAD_READY,
       replay=lambda file_id: files.replay_upload(file_id))
def request_upload(req: Req) -> FileUploadOut:
    return files.request_upload(req.body, actor=req.principal)


@route(bp, "POST", "/files/{file_id}/complete", summary="Verify an uploaded file (size, type) and make it ready",
       response=FileOut, permission="files.upload", message=messages.FILE_READY)
def complete_upload(req: Req, file_id: str) -> FileOut:
    return file_out(files.complete_upload(file_id, actor=req.principal))


@route(bp, "GET", "/files/{file_id}", summary="Read a file (a ready file carries a 5-minute download url)",
       response=FileOut)
def get_file(req: Req, file_id: str) -> FileOut:
    return file_out(files.get_file(file_id, actor=req.principal))


@route(bp, "DELETE", "/files/{file_id}", summary="Delete a file and take it out of every gallery",
       message=messages.FILE_DELETED)
def delete_file(req: Req, file_id: str) -> None:
    files.delete_file(file_id, actor=req.principal)


# S3 ObjectCreated events on the pending prefix. Not @on_s3_event: Chalice's packaging only wires buckets it
# creates itself; the deployment subscribes the media bucket to this function instead.
@bp.lambda_function(name="on_upload")
def on_upload(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"files": files.handle_upload_event(event)}
