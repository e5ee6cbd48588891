"""Builders for catalog test data through the HTTP surface."""
from __future__ import annotations

import itertools
from typing import Any

_seq = itertools.count(1)


def make_category(api: Any, token: str, **fields: Any) -> dict:
    body = {"name": f"Catégorie {next(_seq)}", **fields}
    reply = api.post("/product-categories", json=body, token=token)
    assert reply.status == 201, reply.json
    return reply.data


def make_product(api: Any, token: str, category_id: str, **fields: Any) -> dict:
    body = {"name": f"Produit {next(_seq)}", "product_category_id": category_id, **fields}
    reply = api.post("/products", json=body, token=token)
    assert reply.status == 201, reply.json
    return reply.data


def make_store(name: str = "Boutique") -> str:
    """A store item written directly: the stores domain's routes are another package's concern."""
    from ulid import ULID

    from chalicelib.core import keys
    from chalicelib.core.table import now_iso
    from chalicelib.stores.models import StoreItem

    store_id = str(ULID())
    now = now_iso()
    StoreItem(*keys.store_key(store_id), id=store_id, name=name, slug=f"{name.lower()}-{store_id[-6:].lower()}",
              created_at=now, updated_at=now).save()
    return store_id


def make_option(api: Any, token: str, product_id: str, name: str, values: list[str]) -> dict:
    reply = api.post(f"/products/{product_id}/options", json={"name": name}, token=token)
    assert reply.status == 201, reply.json
    option = reply.data
    option["values"] = []
    for value in values:
        made = api.post(f"/product-options/{option['id']}/values", json={"value": value}, token=token)
        assert made.status == 201, made.json
        option["values"].append(made.data)
    return option


def make_variant(api: Any, token: str, product_id: str, **fields: Any) -> dict:
    body = {"sku": f"SKU-{next(_seq)}", "price": "10.00", **fields}
    reply = api.post(f"/products/{product_id}/variants", json=body, token=token)
    assert reply.status == 201, reply.json
    return reply.data


def make_ready_file(name: str = "photo.jpg") -> str:
    """A ready file item (the media domain's upload flow is not under test here)."""
    from ulid import ULID

    from chalicelib.core import keys
    from chalicelib.core.table import now_iso
    from chalicelib.media.models import FileItem

    file_id = str(ULID())
    now = now_iso()
    FileItem(*keys.file_key(file_id), id=file_id, owner_id="test", filename=name, content_type="image/jpeg",
             size=1234, status="ready", object_key=f"files/{file_id}", created_at=now, updated_at=now).save()
    return file_id


def set_gallery(product_id: str, file_ids: list[str], variant_id: str | None = None) -> None:
    """What the media domain's gallery routes write: the ordered file ids on the product or variant."""
    from chalicelib.catalog.products.models import ProductItem, VariantItem
    from chalicelib.core import keys

    if variant_id:
        VariantItem(*keys.variant_key(product_id, variant_id)).update(actions=[VariantItem.gallery.set(file_ids)])
    else:
        ProductItem(*keys.product_key(product_id)).update(actions=[ProductItem.gallery.set(file_ids)])
