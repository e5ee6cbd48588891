"""Test data, one module: catalog (categories, products, options, variants, galleries), stores and members,
files. Everything a test builds goes through the HTTP API, or is written as production writes it (the same
item classes, keys, index attributes, counters and version bumps); never an item production cannot make."""
from __future__ import annotations

import itertools
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

from ulid import ULID

from chalicelib.core import keys
from chalicelib.core.table import now_iso
from chalicelib.core.tx import Tx

_seq = itertools.count(1)


def _ok(reply: Any, status: int = 201) -> Any:
    assert reply.status == status, reply.json
    return reply.data


# --- catalog ----------------------------------------------------------------------------------------
@dataclass
class Catalog:
    """A product made by make_product: its id, its variants' ids and the product as its create answered."""

    product_id: str
    variant_ids: list[str]
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def variant_id(self) -> str:
        return self.variant_ids[0]


def make_category(api: Any, token: str, **fields: Any) -> dict:
    return _ok(api.post("/product-categories", json={"name": f"Catégorie {next(_seq)}", **fields}, token=token))


def make_product(api: Any, token: str, *, name: str = "T-shirt", category_id: str | None = None,
                 is_active: bool = True, deleted: bool = False, variants: int = 1, variant_active: bool = True,
                 **fields: Any) -> Catalog:
    """A product (in `category_id`, or a new category) with `variants` variants (several: distinct values of
    one option), created through the catalog routes; `fields`: more of POST /products' body."""
    if category_id is None:
        category_id = make_category(api, token)["id"]
    product = _ok(api.post("/products", json={"name": name, "product_category_id": category_id,
                                              "is_active": is_active, **fields}, token=token))
    pid = product["id"]
    value_ids: list[list[str]] = [[] for _ in range(variants)]
    if variants > 1:
        option = _ok(api.post(f"/products/{pid}/options", json={"name": "Size"}, token=token))
        value_ids = [[_ok(api.post(f"/product-options/{option['id']}/values", json={"value": f"V{n}"},
                                   token=token))["id"]] for n in range(variants)]
    variant_ids = [_ok(api.post(f"/products/{pid}/variants", token=token,
                                json={"sku": f"SKU-{ULID()}", "price": "19.90", "option_value_ids": values,
                                      "is_active": variant_active}))["id"] for values in value_ids]
    if deleted:
        _ok(api.delete(f"/products/{pid}", token=token), 200)
    return Catalog(pid, variant_ids, product)


def make_option(api: Any, token: str, product_id: str, name: str, values: list[str]) -> dict:
    option = _ok(api.post(f"/products/{product_id}/options", json={"name": name}, token=token))
    option["values"] = [_ok(api.post(f"/product-options/{option['id']}/values", json={"value": value}, token=token))
                        for value in values]
    return option


def make_variant(api: Any, token: str, product_id: str, **fields: Any) -> dict:
    body = {"sku": f"SKU-{next(_seq)}-{str(ULID())[-6:]}", "price": "10.00", **fields}
    return _ok(api.post(f"/products/{product_id}/variants", json=body, token=token))


def set_gallery(product_id: str, file_ids: list[str], variant_id: str | None = None) -> None:
    """A gallery's ordered file ids, as the gallery routes write them (the version moves with it): a state
    that would take many uploads through the API."""
    from chalicelib.catalog.products.models import ProductItem, VariantItem

    cls, key = ((VariantItem, keys.variant_key(product_id, variant_id)) if variant_id
                else (ProductItem, keys.product_key(product_id)))
    cls(*key).update(actions=[cls.gallery.set(file_ids), cls.version.add(1)], condition=cls.pk.exists())


# --- stores and members -----------------------------------------------------------------------------
def create_store(api: Any, token: str, **fields: object) -> dict:
    """POST /stores with sensible defaults; returns the created store's data."""
    return _ok(api.post("/stores", json={"name": f"Store {ULID()}", **fields}, token=token))


def make_store(api: Any, token: str, name: str = "Boutique") -> str:
    """A store created through POST /stores (index keys and counters as production writes them); its id."""
    return create_store(api, token, name=name)["id"]


def add_members(api: Any, token: str, store_id: str, *user_ids: str) -> None:
    _ok(api.post(f"/stores/{store_id}/users", json={"user_ids": list(user_ids)}, token=token), 200)


def attach(api: Any, token: str, product_id: str, *store_ids: str) -> None:
    _ok(api.post(f"/products/{product_id}/stores", json={"store_ids": list(store_ids)}, token=token), 200)


def make_plain_users(count: int) -> list[str]:
    """Users that only need to exist (no login): written directly, without the slow password hash."""
    from chalicelib.identity.models import UserItem

    ids = []
    for start in range(0, count, 50):
        tx = Tx()
        for n in range(start, min(count, start + 50)):
            user_id = str(ULID())
            pk, sk = keys.user_key(user_id)
            tx.create(UserItem(pk, sk, id=user_id, name=f"User {n}", email=f"plain{user_id.lower()}@example.com",
                               password_hash="-", roles={"staff"}, created_at=now_iso(), updated_at=now_iso()))
            ids.append(user_id)
        tx.commit()
    return ids


# --- files ------------------------------------------------------------------------------------------
def make_ready_file(name: str = "photo.jpg") -> str:
    """A ready file item as the upload flow leaves it (the flow itself is tested in test_files_api)."""
    from chalicelib.media.models import FileItem

    file_id = str(ULID())
    now = now_iso()
    FileItem(*keys.file_key(file_id), id=file_id, owner_id="test", filename=name, content_type="image/jpeg",
             size=1234, status="ready", object_key=f"files/{file_id}", created_at=now, updated_at=now).save()
    return file_id


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
