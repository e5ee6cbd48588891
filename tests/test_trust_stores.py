"""Stores as an attacker sees them: a manager of one store reaching another through product links (and what
hangs off them), and customers seeing inactive stores wherever a store is rendered or filtered on."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.builders_catalog import Catalog, add_members, attach, create_store, make_product
from tests.conftest import Account


@dataclass
class TwoStores:
    mine: str  # the manager belongs to it
    theirs: str  # it does not
    item: Catalog  # attached to both, 50 units in `theirs`


@pytest.fixture
def two_stores(api, admin, manager) -> TwoStores:
    mine, theirs = create_store(api, admin.token)["id"], create_store(api, admin.token)["id"]
    add_members(api, admin.token, mine, manager.id)
    item = make_product(api, admin.token)
    attach(api, admin.token, item.product_id, mine, theirs)
    assert api.put(f"/product-variants/{item.variant_id}/stock/{theirs}", json={"quantity": 50},
                   token=admin.token).status == 200
    return TwoStores(mine, theirs, item)


def _stock(api, token: str, variant_id: str) -> dict[str, int]:
    return {row["store_id"]: row["quantity"]
            for row in api.get(f"/product-variants/{variant_id}/stock", token=token).data["stock"]}


def _store_total(api, admin: Account, store_id: str) -> int:
    return api.get(f"/stores/{store_id}/products", token=admin.token).json["meta"]["total"]


# --- item 3: product links follow the store scope of stock -------------------------------------------
def test_a_manager_cannot_detach_a_product_from_another_store_nor_lose_its_stock(api, admin, manager, two_stores):
    s = two_stores
    assert api.delete(f"/products/{s.item.product_id}/stores/{s.theirs}", token=manager.token).status == 403
    assert _stock(api, admin.token, s.item.variant_id) == {s.theirs: 50}
    assert _store_total(api, admin, s.theirs) == 1
    # Not attached there: still 403 (a 404 would tell what another store carries).
    elsewhere = create_store(api, admin.token)["id"]
    assert api.delete(f"/products/{s.item.product_id}/stores/{elsewhere}", token=manager.token).status == 403


def test_a_manager_cannot_attach_a_product_to_another_store(api, admin, manager, two_stores):
    s = two_stores
    other = create_store(api, admin.token)["id"]
    for store_ids in ([other], [s.mine, other], [s.theirs]):
        reply = api.post(f"/products/{s.item.product_id}/stores", json={"store_ids": store_ids}, token=manager.token)
        assert reply.status == 403, store_ids
    assert _store_total(api, admin, other) == 0


def test_a_manager_cannot_create_a_product_in_another_store(api, admin, manager, two_stores):
    s = two_stores
    category = api.post("/product-categories", json={"name": "Cat"}, token=admin.token).data["id"]
    body = {"name": "Planted", "product_category_id": category}
    assert api.post("/products", json={**body, "store_ids": [s.theirs]}, token=manager.token).status == 403
    assert api.post("/products", json={**body, "store_ids": [s.mine, s.theirs]}, token=manager.token).status == 403
    assert _store_total(api, admin, s.theirs) == 1
    created = api.post("/products", json={**body, "store_ids": [s.mine]}, token=manager.token)
    assert created.status == 201 and len(created.calls) <= 3
    assert _store_total(api, admin, s.mine) == 2


def test_the_stock_hanging_off_another_stores_link_stays_out_of_reach(api, admin, manager, two_stores):
    s = two_stores
    base = f"/product-variants/{s.item.variant_id}/stock/{s.theirs}"
    assert api.put(base, json={"quantity": 0}, token=manager.token).status == 403
    assert api.post(f"{base}/adjust", json={"delta": -50}, token=manager.token).status == 403
    assert api.delete(base, token=manager.token).status == 403
    assert _stock(api, admin.token, s.item.variant_id) == {s.theirs: 50}


def test_a_manager_works_on_its_own_store_until_it_leaves_it(api, admin, manager, two_stores):
    s = two_stores
    assert api.put(f"/product-variants/{s.item.variant_id}/stock/{s.mine}", json={"quantity": 5},
                   token=manager.token).status == 200
    detached = api.delete(f"/products/{s.item.product_id}/stores/{s.mine}", token=manager.token)
    assert detached.status == 200 and len(detached.calls) <= 3
    assert _stock(api, admin.token, s.item.variant_id) == {s.theirs: 50}
    attached = api.post(f"/products/{s.item.product_id}/stores", json={"store_ids": [s.mine]}, token=manager.token)
    assert attached.status == 200 and attached.data["attached"] == [s.mine] and len(attached.calls) <= 3
    # Taken off the store, the same token loses it at once.
    assert api.delete(f"/stores/{s.mine}/users/{manager.id}", token=admin.token).status == 200
    assert api.delete(f"/products/{s.item.product_id}/stores/{s.mine}", token=manager.token).status == 403
    assert _store_total(api, admin, s.mine) == 1


def test_admins_attach_and_detach_anywhere(api, admin, two_stores):
    s = two_stores
    assert api.delete(f"/products/{s.item.product_id}/stores/{s.theirs}", token=admin.token).status == 200
    assert api.post(f"/products/{s.item.product_id}/stores", json={"store_ids": [s.theirs]},
                    token=admin.token).status == 200
