"""Test data for media: images, products and variants written through their models, uploads through the API."""
from __future__ import annotations

import struct
import zlib
from types import SimpleNamespace
from typing import Any

from ulid import ULID


def png_bytes(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real, decodable PNG (browsers and image tools accept it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def jpeg_bytes(size: int = 64) -> bytes:
    """Starts like a JPEG (SOI + APP0 marker); enough for a magic-number check."""
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
    return head + b"\x00" * (size - len(head))


def webp_bytes(size: int = 64) -> bytes:
    body = b"WEBPVP8 " + b"\x00" * (size - 16)
    return b"RIFF" + struct.pack("<I", size - 8) + body


def make_product(api: Any, token: str, name: str = "T-shirt", **fields: Any) -> Any:
    """A product created through the catalog's routes (a category first); returns the product's data."""
    category = api.post("/product-categories", {"name": f"{name} category"}, token=token)
    assert category.status == 201, category.json
    reply = api.post("/products", {"name": name, "product_category_id": category.data["id"], **fields}, token=token)
    assert reply.status == 201, reply.json
    return SimpleNamespace(**reply.data)


def make_variant(api: Any, token: str, product_id: str, sku: str | None = None, **fields: Any) -> Any:
    """A variant created through the catalog's routes; returns its data."""
    body = {"sku": sku or f"SKU-{str(ULID())[-10:]}", "price": "19.90", **fields}
    reply = api.post(f"/products/{product_id}/variants", body, token=token)
    assert reply.status == 201, reply.json
    return SimpleNamespace(**reply.data)


def set_gallery(product_id: str, file_ids: list[str]) -> None:
    """Fill a product's gallery with ids straight through the model (a state that would take many uploads)."""
    from chalicelib.catalog.products.models import ProductItem
    from chalicelib.core import keys

    item = ProductItem.get(*keys.product_key(product_id), consistent_read=True)
    item.update(actions=[ProductItem.gallery.set(file_ids), ProductItem.version.add(1)])


def s3() -> Any:
    """The S3 client the app uses (in-process moto unless a test points AWS_ENDPOINT_URL_S3 elsewhere)."""
    from chalicelib.media.storage import s3_client

    return s3_client()


def bucket() -> str:
    from chalicelib.media.storage import bucket as name

    return name()


def object_exists(key: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        s3().head_object(Bucket=bucket(), Key=key)
    except ClientError:
        return False
    return True


def file_item(file_id: str) -> Any:
    from chalicelib.core import keys
    from chalicelib.media.models import FileItem

    return FileItem.get(*keys.file_key(file_id), consistent_read=True)


def ask_upload(api: Any, token: str, *, content: bytes | None = None, content_type: str = "image/png",
               filename: str = "photo.png", size: int | None = None) -> Any:
    """`POST /files` for `content` (or just a size); returns the Reply."""
    size = size if size is not None else len(content if content is not None else png_bytes())
    return api.post("/files", {"filename": filename, "content_type": content_type, "size": size}, token=token)


def put_pending(file_id: str, content: bytes, content_type: str = "image/png") -> None:
    """Stand in for the browser's upload (the policy is what S3 would check; we check after)."""
    from chalicelib.media.storage import pending_key

    s3().put_object(Bucket=bucket(), Key=pending_key(file_id), Body=content, ContentType=content_type)


def ready_file(api: Any, token: str, content: bytes | None = None, content_type: str = "image/png",
               filename: str = "photo.png") -> str:
    """A file taken through the whole flow (ask, upload, complete); returns its id."""
    content = content if content is not None else png_bytes()
    reply = ask_upload(api, token, content=content, content_type=content_type, filename=filename)
    assert reply.status == 201, reply.json
    file_id = reply.data["id"]
    put_pending(file_id, content, content_type)
    done = api.post(f"/files/{file_id}/complete", token=token)
    assert done.status == 200, done.json
    return file_id
