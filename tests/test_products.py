"""Products through HTTP: create rules, slugs, reads with includes, soft delete, preconditions, budgets."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.builders import make_category, make_product, make_store

# A product write that answers the read: auth, the collection (Query), its related records, the transaction.
WRITE_CALLS = ["BatchGetItem", "Query", "BatchGetItem", "TransactWriteItems"]


@pytest.fixture
def category(api, admin):
    return make_category(api, admin.token)


def test_create_defaults_and_creator(api, admin, category):
    reply = api.post("/products", json={"name": "T-shirt", "product_category_id": category["id"]}, token=admin.token)
    assert reply.status == 201 and len(reply.calls) <= 3
    assert reply.json["message"] == "Produit créé avec succès"
    data = reply.data
    assert data["slug"] == "t-shirt" and data["is_active"] is True and data["is_featured"] is False
    assert data["created_by"] == admin.id and data["deleted_at"] is None
    assert data["created_at"].endswith("Z")
    # the create answers what GET renders (every include), so its ETag is the read's
    read = api.get(f"/products/{data['id']}", token=admin.token)
    assert data == read.data and data["category"]["id"] == category["id"] and data["variants"] == []
    assert reply.headers["etag"] == read.headers["etag"]


def test_create_validation(api, admin, category):
    reply = api.post("/products", json={"product_category_id": category["id"], "slug": "x", "created_by": "me"},
                     token=admin.token)
    assert reply.status == 422
    assert set(reply.errors) >= {"name", "slug", "created_by"}
    reply = api.post("/products", json={"name": "A" * 256, "product_category_id": category["id"]}, token=admin.token)
    assert reply.status == 422 and "name" in reply.errors


def test_category_must_exist(api, admin):
    reply = api.post("/products", json={"name": "X", "product_category_id": "missing"}, token=admin.token)
    assert reply.status == 422
    assert reply.errors["product_category_id"] == ["La catégorie sélectionnée n'existe pas."]
    reply = api.post("/products", json={"name": "X", "product_category_id": "missing"}, token=admin.token,
                     headers={"Accept-Language": "en"})
    assert reply.errors["product_category_id"] == ["The selected category does not exist."]


def test_store_ids_must_exist_and_links_are_written(api, admin, category):
    store = make_store(api, admin.token)
    reply = api.post("/products", json={"name": "X", "product_category_id": category["id"],
                                        "store_ids": [store, "nope"]}, token=admin.token)
    assert reply.status == 422 and "store_ids" in reply.errors
    assert api.get("/products", token=admin.token).json["meta"]["total"] == 0
    product = make_product(api, admin.token, category_id=category["id"], store_ids=[store], variants=0).data
    reply = api.get(f"/products/{product['id']}", token=admin.token)
    assert [s["id"] for s in reply.data["stores"]] == [store]
    listed = api.get(f"/products?store_id={store}", token=admin.token)
    assert [p["id"] for p in listed.data] == [product["id"]] and listed.json["meta"]["total"] == 1
    assert len(listed.calls) <= 3
    from chalicelib.catalog.links.models import store_products_total
    from chalicelib.core.tx import read_total

    assert read_total(store_products_total(store)) == 1


def test_store_ids_limits(api, admin, category):
    reply = api.post("/products", json={"name": "X", "product_category_id": category["id"],
                                        "store_ids": ["a", "a"]}, token=admin.token)
    assert reply.status == 422
    reply = api.post("/products", json={"name": "X", "product_category_id": category["id"],
                                        "store_ids": [f"s{i}" for i in range(101)]}, token=admin.token)
    assert reply.status == 422


def test_slug_sequence_survives_soft_delete(api, admin, category):
    first = make_product(api, admin.token, category_id=category["id"], name="T-shirt", variants=0).data
    assert api.delete(f"/products/{first['id']}", token=admin.token).status == 200
    second = make_product(api, admin.token, category_id=category["id"], name="T-shirt", variants=0).data
    third = make_product(api, admin.token, category_id=category["id"], name="t shirt!", variants=0).data
    assert [first["slug"], second["slug"], third["slug"]] == ["t-shirt", "t-shirt-1", "t-shirt-2"]
    # a name whose own slug is a suffixed one does not break the sequence
    odd = make_product(api, admin.token, category_id=category["id"], name="T-shirt 3", variants=0).data
    fourth = make_product(api, admin.token, category_id=category["id"], name="T-shirt", variants=0).data
    assert odd["slug"] == "t-shirt-3" and fourth["slug"] == "t-shirt-4"


def test_parallel_creates_of_one_name_get_distinct_slugs(api, admin, category):
    def create(_: int) -> str:
        reply = api.post("/products", json={"name": "Casquette", "product_category_id": category["id"]},
                         token=admin.token)
        assert reply.status == 201, reply.json
        return reply.data["slug"]

    with ThreadPoolExecutor(max_workers=10) as pool:
        slugs = list(pool.map(create, range(10)))
    assert len(set(slugs)) == 10
    assert set(slugs) == {"casquette"} | {f"casquette-{i}" for i in range(1, 10)}


def test_get_by_slug(api, admin, customer, category):
    product = make_product(api, admin.token, category_id=category["id"], name="Sac à dos", variants=0).data
    reply = api.get("/products/by-slug/sac-a-dos", token=customer.token)
    assert reply.status == 200 and reply.data["id"] == product["id"] and reply.data["category"]["id"] == category["id"]
    assert api.get("/products/by-slug/nothing", token=customer.token).status == 404
    api.delete(f"/products/{product['id']}", token=admin.token)
    assert api.get("/products/by-slug/sac-a-dos", token=customer.token).status == 404
    # issue 10, item 19: by slug a trashed product is gone for admins too; by id they still reach it (restore)
    assert api.get("/products/by-slug/sac-a-dos", token=admin.token).status == 404
    assert api.get(f"/products/{product['id']}", token=admin.token).data["deleted_at"]


def test_soft_delete_and_restore(api, admin, customer, category):
    store = make_store(api, admin.token)
    product = make_product(api, admin.token, category_id=category["id"], store_ids=[store], variants=0).data
    path = f"/products/{product['id']}"
    reply = api.delete(path, token=admin.token)
    assert reply.status == 200 and reply.data is None and len(reply.calls) <= 3
    assert api.get(path, token=customer.token).status == 404
    assert api.get(path, token=admin.token).data["deleted_at"]
    for url in ("/products", f"/products?product_category_id={category['id']}", f"/products?store_id={store}",
                "/products?is_active=true", "/products?is_featured=false&is_active=true"):
        listed = api.get(url, token=admin.token)
        assert listed.data == [] and listed.json["meta"]["total"] == 0, url
    assert api.patch(path, json={"name": "Nope"}, token=admin.token).status == 404
    assert api.delete(path, token=admin.token).status == 404
    reply = api.post(f"/products/{product['id']}/restore", token=admin.token)
    assert reply.status == 200 and reply.data["deleted_at"] is None
    assert api.post(f"/products/{product['id']}/restore", token=admin.token).status == 409
    for url in ("/products", f"/products?store_id={store}"):
        listed = api.get(url, token=customer.token)
        assert [p["id"] for p in listed.data] == [product["id"]] and listed.json["meta"]["total"] == 1


def test_put_patch_and_budgets(api, admin, category):
    other = make_category(api, admin.token)
    product = make_product(api, admin.token, category_id=category["id"], description="Old", variants=0).data
    path = f"/products/{product['id']}"
    reply = api.patch(path, json={"is_featured": True}, token=admin.token)
    assert reply.status == 200 and reply.json["message"] == "Produit mis à jour avec succès"
    assert reply.data["is_featured"] is True and reply.data["description"] == "Old"
    # a write answers what GET renders: auth, the collection, its related records, the write (exactly)
    assert reply.calls == WRITE_CALLS and reply.data == api.get(path, token=admin.token).data
    reply = api.put(path, json={"name": "Nouveau nom", "product_category_id": other["id"]}, token=admin.token)
    assert reply.status == 200 and reply.calls == WRITE_CALLS and reply.data["category"]["id"] == other["id"]
    assert reply.data["description"] is None and reply.data["is_featured"] is False and reply.data["is_active"] is True
    assert reply.data["slug"] == product["slug"] and reply.data["product_category_id"] == other["id"]
    assert api.patch(path, json={"product_category_id": "missing"}, token=admin.token).status == 422
    assert api.patch(path, json={"store_ids": []}, token=admin.token).status == 422
    assert api.patch("/products/nope", json={"name": "X"}, token=admin.token).status == 404
    # the category counts moved with the product: the old category can go, the new one cannot
    assert api.delete(f"/product-categories/{category['id']}", token=admin.token).status == 200
    assert api.delete(f"/product-categories/{other['id']}", token=admin.token).status == 409


def test_if_match_with_get_or_write_etags(api, admin, category):
    product = make_product(api, admin.token, category_id=category["id"], variants=0).data
    path = f"/products/{product['id']}"
    get_etag = api.get(path, token=admin.token).headers["etag"]
    reply = api.patch(path, json={"name": "A"}, token=admin.token, headers={"If-Match": get_etag})
    assert reply.status == 200
    write_etag = reply.headers["etag"]
    stale = api.patch(path, json={"name": "B"}, token=admin.token, headers={"If-Match": get_etag})
    assert stale.status == 412 and stale.json["success"] is False
    reply = api.patch(path, json={"name": "B"}, token=admin.token, headers={"If-Match": write_etag})
    assert reply.status == 200 and reply.calls == WRITE_CALLS
    assert reply.headers["etag"] == api.get(path, token=admin.token).headers["etag"]
    assert api.delete(path, token=admin.token, headers={"If-Match": write_etag}).status == 412
    assert api.delete(path, token=admin.token, headers={"If-Match": reply.headers["etag"]}).status == 200


def test_concurrent_updates_are_not_lost(api, admin, category):
    product = make_product(api, admin.token, category_id=category["id"], variants=0).data
    path = f"/products/{product['id']}"
    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(pool.map(lambda body: api.patch(path, json=body, token=admin.token),
                                [{"name": "Renamed"}, {"description": "Described"}]))
    assert [r.status for r in replies] == [200, 200]
    data = api.get(path, token=admin.token).data
    assert data["name"] == "Renamed" and data["description"] == "Described"


def test_concurrent_if_match_updates_one_wins(api, admin, category):
    product = make_product(api, admin.token, category_id=category["id"], variants=0).data
    path = f"/products/{product['id']}"
    etag = api.get(path, token=admin.token).headers["etag"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda i: api.patch(path, json={"name": f"N{i}"}, token=admin.token,
                                                     headers={"If-Match": etag}).status, range(4)))
    assert sorted(statuses) == [200, 412, 412, 412]


def test_idempotent_create_creates_one_product(api, admin, category):
    body = {"name": "Unique", "product_category_id": category["id"]}
    headers = {"Idempotency-Key": "prod-1"}
    first = api.post("/products", json=body, token=admin.token, headers=headers)
    again = api.post("/products", json=body, token=admin.token, headers=headers)
    assert first.status == again.status == 201 and first.data["id"] == again.data["id"]
    assert again.data["slug"] == "unique"
    assert api.post("/products", json={**body, "name": "Other"}, token=admin.token, headers=headers).status == 422
    assert api.get("/products", token=admin.token).json["meta"]["total"] == 1


def test_soft_delete_of_a_product_sold_in_many_stores(api, admin, customer, category):
    stores = [make_store(api, admin.token, f"S{i}") for i in range(45)]
    product = make_product(api, admin.token, category_id=category["id"], store_ids=stores[:20], variants=0).data
    for chunk in (stores[20:35], stores[35:]):
        assert api.post(f"/products/{product['id']}/stores", json={"store_ids": chunk}, token=admin.token).status in (200, 201)
    assert api.delete(f"/products/{product['id']}", token=admin.token).status == 200
    for store in (stores[0], stores[30], stores[44]):
        listed = api.get(f"/products?store_id={store}", token=admin.token)
        assert listed.data == [] and listed.json["meta"]["total"] == 0
    assert api.post(f"/products/{product['id']}/restore", token=admin.token).status == 200
    api.patch(f"/products/{product['id']}", json={"is_active": False}, token=admin.token)
    api.patch(f"/products/{product['id']}", json={"is_active": True}, token=admin.token)
    for store in (stores[0], stores[30], stores[44]):
        listed = api.get(f"/products?store_id={store}", token=customer.token)
        assert [p["id"] for p in listed.data] == [product["id"]] and listed.json["meta"]["total"] == 1
