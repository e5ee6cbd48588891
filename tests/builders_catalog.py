"""Catalog test data written straight through the models (until the catalog routes land): categories,
products and variants keyed exactly as the catalog domain keys them (variants findable on gsi5)."""
from __future__ import annotations

from dataclasses import dataclass

from ulid import ULID

from chalicelib.core import keys
from chalicelib.core.table import now_iso
from chalicelib.core.tx import Tx
from chalicelib.products.models import ProductItem, VariantItem


@dataclass
class Catalog:
    product_id: str
    variant_ids: list[str]

    @property
    def variant_id(self) -> str:
        return self.variant_ids[0]


def make_product(*, name: str = "T-shirt", is_active: bool = True, deleted: bool = False, variants: int = 1,
                 variant_active: bool = True) -> Catalog:
    """A product with `variants` variants, in one transaction."""
    product_id = str(ULID())
    now = now_iso()
    pk, sk = keys.product_key(product_id)
    tx = Tx()
    tx.create(ProductItem(pk, sk, id=product_id, name=name, slug=f"{name.lower()}-{product_id.lower()}",
                          product_category_id="cat-1", is_active=is_active, is_featured=False,
                          deleted_at=now if deleted else None, created_at=now, updated_at=now))
    variant_ids = []
    for n in range(variants):
        variant_id = str(ULID())
        vpk, vsk = keys.variant_key(product_id, variant_id)
        tx.create(VariantItem(vpk, vsk, id=variant_id, product_id=product_id, sku=f"SKU-{variant_id}",
                              price="19.90", is_active=variant_active, created_at=now, updated_at=now,
                              gsi5pk=keys.lookup_partition("VARIANT", variant_id), gsi5sk="VARIANT"))
        variant_ids.append(variant_id)
    tx.commit()
    return Catalog(product_id, variant_ids)


def create_store(api, token: str, **fields: object) -> dict:
    """POST /stores with sensible defaults; returns the created store's data."""
    body = {"name": f"Store {ULID()}", **fields}
    reply = api.post("/stores", json=body, token=token)
    assert reply.status == 201, reply.json
    return reply.data


def add_members(api, token: str, store_id: str, *user_ids: str) -> None:
    reply = api.post(f"/stores/{store_id}/users", json={"user_ids": list(user_ids)}, token=token)
    assert reply.status == 200, reply.json


def attach(api, token: str, product_id: str, *store_ids: str) -> None:
    reply = api.post(f"/products/{product_id}/stores", json={"store_ids": list(store_ids)}, token=token)
    assert reply.status == 200, reply.json
