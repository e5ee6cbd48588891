"""Test data over HTTP: catalog (category, product, option values, variants), stores, members, links."""
from __future__ import annotations

from dataclasses import dataclass

from ulid import ULID

from chalicelib.core import keys
from chalicelib.core.table import now_iso
from chalicelib.core.tx import Tx


@dataclass
class Catalog:
    product_id: str
    variant_ids: list[str]

    @property
    def variant_id(self) -> str:
        return self.variant_ids[0]


def _ok(reply, status: int = 201) -> dict:
    assert reply.status == status, reply.json
    return reply.data


def make_product(api, token: str, *, name: str = "T-shirt", is_active: bool = True, deleted: bool = False,
                 variants: int = 1, variant_active: bool = True) -> Catalog:
    """A product with `variants` variants (distinct values of one option), created through the catalog routes."""
    category = _ok(api.post("/product-categories", json={"name": f"Cat {ULID()}"}, token=token))
    product = _ok(api.post("/products", json={"name": name, "product_category_id": category["id"],
                                              "is_active": is_active}, token=token))
    pid = product["id"]
    value_ids: list[list[str]] = [[]]
    if variants > 1:
        option = _ok(api.post(f"/products/{pid}/options", json={"name": "Size"}, token=token))
        value_ids = [[_ok(api.post(f"/product-options/{option['id']}/values", json={"value": f"V{n}"},
                                   token=token))["id"]] for n in range(variants)]
    variant_ids = [_ok(api.post(f"/products/{pid}/variants", token=token,
                                json={"sku": f"SKU-{ULID()}", "price": "19.90", "option_value_ids": values,
                                      "is_active": variant_active}))["id"] for values in value_ids]
    if deleted:
        _ok(api.delete(f"/products/{pid}", token=token), 200)
    return Catalog(pid, variant_ids)


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
