"""The S3 side of media: presigned uploads and downloads, and the few object operations verification needs.

The API never proxies bytes: browsers upload straight to the bucket with a presigned POST and download with a
presigned GET. boto3 is imported on first use (cold starts of routes that never touch S3 do not pay for it).
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

from chalicelib.core.settings import get_settings

# infra/ is not packaged into the Lambda, so the prefixes are repeated here; a test keeps them equal to
# infra.resources (whose lifecycle rule expires the pending prefix).
PENDING_PREFIX = "pending/"
FILES_PREFIX = "files/"
UPLOAD_TTL = 600  # a presigned POST is valid 10 minutes
DOWNLOAD_TTL = 300  # a download link is valid 5 minutes
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}

_clients: dict[tuple[str, str | None], Any] = {}
_lock = threading.Lock()


def s3_client() -> Any:
    """One client per (region, endpoint): tests point AWS_ENDPOINT_URL_S3 at a stand-in for a single test."""
    region = get_settings().region
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3")
    key = (region, endpoint)
    client = _clients.get(key)
    if client is None:
        with _lock:
            client = _clients.get(key)
            if client is None:
                import boto3
                from botocore.config import Config

                # Path-style URLs work against a stand-in on 127.0.0.1 (no bucket sub-domain to resolve);
                # in AWS the default (virtual-hosted) is right. botocore reads the endpoint from the env.
                style = "path" if endpoint else "auto"
                config = Config(signature_version="s3v4", s3={"addressing_style": style},
                                connect_timeout=2, read_timeout=5, retries={"max_attempts": 2})
                client = boto3.client("s3", region_name=region, config=config)
                _clients[key] = client
    return client


def bucket() -> str:
    return get_settings().bucket_name


def pending_key(file_id: str) -> str:
    """Where the browser uploads (the lifecycle rule expires what never completes)."""
    return f"{PENDING_PREFIX}{file_id}"


def final_key(file_id: str, content_type: str) -> str:
    """Where a verified file lives."""
    return f"{FILES_PREFIX}{file_id}.{EXTENSIONS.get(content_type, 'bin')}"


def presigned_post(key: str, content_type: str, size: int) -> dict[str, Any]:
    """A POST policy pinning the exact key, the content type and the size (S3 refuses anything else)."""
    return s3_client().generate_presigned_post(
        Bucket=bucket(), Key=key, Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
        ExpiresIn=UPLOAD_TTL)


def download_url(key: str, filename: str, content_type: str) -> str:
    """A short-lived GET link; the browser saves the file under its original name."""
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return s3_client().generate_presigned_url(
        "get_object", ExpiresIn=DOWNLOAD_TTL,
        Params={"Bucket": bucket(), "Key": key, "ResponseContentType": content_type,
                "ResponseContentDisposition": f'inline; filename="{ascii_name}"'})


@dataclass(frozen=True)
class StoredObject:
    size: int
    head: bytes  # the first bytes, for the magic-number check


def inspect(key: str, head_bytes: int = 16) -> StoredObject | None:
    """Size and first bytes of an object, or None when it is not there (one ranged GET)."""
    from botocore.exceptions import ClientError

    try:
        response = s3_client().get_object(Bucket=bucket(), Key=key, Range=f"bytes=0-{head_bytes - 1}")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
            return None
        if exc.response.get("Error", {}).get("Code") == "InvalidRange":  # an empty object
            return StoredObject(0, b"")
        raise
    head = response["Body"].read()
    # Content-Range: bytes 0-15/12345 carries the full size; without a range answer, ContentLength is it.
    content_range = response.get("ContentRange") or ""
    size = int(content_range.rsplit("/", 1)[1]) if "/" in content_range else int(response["ContentLength"])
    return StoredObject(size, head)


def move(source: str, target: str) -> None:
    """Copy then delete: S3 has no rename."""
    client = s3_client()
    client.copy_object(Bucket=bucket(), Key=target, CopySource={"Bucket": bucket(), "Key": source})
    client.delete_object(Bucket=bucket(), Key=source)


def delete(key: str) -> None:
    s3_client().delete_object(Bucket=bucket(), Key=key)
