"""Product reads through HTTP: includes and their call budget, lists, filters, paging, visibility."""
from __future__ import annotations

import pytest

from tests.builders import (
    make_category,
    make_option,
    make_product,
    make_ready_file,
    make_store,
    make_variant,
    set_gallery,
)


@pytest.fixture
def category(api, admin):
    return make_category(api, admin.token)


def test_get_product_with_everything_in_three_calls(api, admin, customer, category):
    stores = [make_store(api, admin.token, "Paris"), make_store(api, admin.token, "Lyon")]
    product = make_product(api, admin.token, category_id=category["id"], name="Veste", store_ids=stores, variants=0).data
    option = make_option(api, admin.token, product["id"], "Taille", ["S", "M"])
    variants = [make_variant(api, admin.token, product["id"], option_value_ids=[v["id"]]) for v in option["values"]]
    from chalicelib.catalog.stock.models import stock_item

    stock_item(product["id"], variants[0]["id"], stores[0], 4).save()
    cover, back, detail = make_ready_file("cover.jpg"), make_ready_file("back.jpg"), make_ready_file("detail.jpg")
    set_gallery(product["id"], [cover, back])
    set_gallery(product["id"], [detail], variant_id=variants[1]["id"])

    reply = api.get(f"/products/{product['id']}", token=customer.token)
    assert reply.status == 200
    assert len(reply.calls) <= 3, reply.calls
    data = reply.data
    assert data["category"]["id"] == category["id"]
    assert data["creator"] == {"id": admin.id, "name": "Admin"}
    assert sorted(s["id"] for s in data["stores"]) == sorted(stores)
    assert [f["id"] for f in data["gallery"]] == [cover, back]
    assert data["gallery"][0]["filename"] == "cover.jpg"
    assert [o["name"] for o in data["options"]] == ["Taille"]
    assert [v["value"] for v in data["options"][0]["values"]] == ["S", "M"]
    assert [v["id"] for v in data["variants"]] == [v["id"] for v in variants]
    assert data["variants"][0]["stock"] == [{"store_id": stores[0], "quantity": 4}]
    assert [f["id"] for f in data["variants"][1]["gallery"]] == [detail]
    etag = reply.headers["etag"]
    assert api.get(f"/products/{product['id']}", token=customer.token, headers={"If-None-Match": etag}).status == 304


def test_include_selects_related_resources(api, admin, category):
    product = make_product(api, admin.token, category_id=category["id"], variants=0).data
    reply = api.get(f"/products/{product['id']}?include=category", token=admin.token)
    assert reply.data["category"]["id"] == category["id"]
    assert not {"variants", "options", "stores", "gallery", "creator"} & set(reply.data)
    reply = api.get(f"/products/{product['id']}?include=", token=admin.token)
    assert "category" not in reply.data and reply.data["id"] == product["id"]
    reply = api.get(f"/products/{product['id']}?include=category,nope", token=admin.token)
    assert reply.status == 422 and "include" in reply.errors


def test_list_includes_keep_the_budget(api, admin, category):
    cover = make_ready_file()
    for _ in range(3):
        made = make_product(api, admin.token, category_id=category["id"], variants=0).data
    set_gallery(made["id"], [cover, make_ready_file()])
    reply = api.get("/products?include=category,creator,gallery", token=admin.token)
    assert reply.status == 200 and len(reply.calls) <= 3, reply.calls
    first = reply.data[0]
    assert first["id"] == made["id"] and first["category"]["id"] == category["id"]
    assert first["creator"]["id"] == admin.id and [f["id"] for f in first["gallery"]] == [cover]  # the cover only
    assert reply.data[1]["gallery"] == []
    assert api.get("/products?include=variants", token=admin.token).status == 422
    assert api.get("/products?include=category&per_page=31", token=admin.token).status == 422


def test_paging_23_products_newest_first(api, admin, category):
    made = [make_product(api, admin.token, category_id=category["id"], variants=0).data["id"] for _ in range(23)]
    seen, cursor, pages = [], None, []
    while True:
        reply = api.get("/products?per_page=10" + (f"&cursor={cursor}" if cursor else ""), token=admin.token)
        assert reply.status == 200 and len(reply.calls) <= 3
        meta = reply.json["meta"]
        assert meta["total"] == 23 and meta["last_page"] == 3 and meta["per_page"] == 10
        pages.append((meta["current_page"], len(reply.data)))
        seen += [p["id"] for p in reply.data]
        cursor = meta["next_cursor"]
        if cursor is None:
            break
    assert pages == [(1, 10), (2, 10), (3, 3)]
    assert seen == list(reversed(made))  # no duplicate, no gap, newest first
    assert api.get("/products?cursor=forged.cursor", token=admin.token).status == 422


def test_filters_and_their_totals(api, admin, category):
    other = make_category(api, admin.token)
    a = make_product(api, admin.token, category_id=category["id"], is_featured=True, variants=0).data
    b = make_product(api, admin.token, category_id=category["id"], is_active=False, variants=0).data
    c = make_product(api, admin.token, category_id=other["id"], is_featured=True, is_active=False, variants=0).data

    def ids(url: str) -> tuple[list[str], int]:
        reply = api.get(url, token=admin.token)
        assert reply.status == 200, reply.json
        assert len(reply.calls) <= 3
        return [p["id"] for p in reply.data], reply.json["meta"]["total"]

    assert ids(f"/products?product_category_id={category['id']}") == ([b["id"], a["id"]], 2)
    assert ids(f"/products?product_category_id={category['id']}&is_active=false") == ([b["id"]], 1)
    assert ids("/products?is_active=false") == ([c["id"], b["id"]], 2)
    assert ids("/products?is_featured=true&is_active=true") == ([a["id"]], 1)
    assert ids("/products?is_featured=true&is_active=false") == ([c["id"]], 1)
    # changing a product moves it between lists and totals
    api.patch(f"/products/{b['id']}", json={"product_category_id": other["id"], "is_active": True}, token=admin.token)
    assert ids(f"/products?product_category_id={other['id']}") == ([c["id"], b["id"]], 2)
    assert ids("/products?is_active=true") == ([b["id"], a["id"]], 2)


def test_unsupported_filter_combinations_are_422(api, admin, category):
    store = make_store(api, admin.token)
    for query in (f"store_id={store}&product_category_id={category['id']}", f"store_id={store}&is_featured=true"):
        reply = api.get(f"/products?{query}", token=admin.token)
        assert reply.status == 422 and reply.errors, query


def test_customers_only_see_active_live_products(api, admin, customer, category):
    store = make_store(api, admin.token)
    active = make_product(api, admin.token, category_id=category["id"], store_ids=[store], is_featured=True, variants=0).data
    inactive = make_product(api, admin.token, category_id=category["id"], store_ids=[store], is_active=False, is_featured=True, variants=0).data
    deleted = make_product(api, admin.token, category_id=category["id"], store_ids=[store], variants=0).data
    api.delete(f"/products/{deleted['id']}", token=admin.token)
    for url in ("/products", f"/products?product_category_id={category['id']}", f"/products?store_id={store}",
                "/products?is_featured=true", "/products?is_active=true"):
        reply = api.get(url, token=customer.token)
        assert [p["id"] for p in reply.data] == [active["id"]] and reply.json["meta"]["total"] == 1, url
    empty = api.get("/products?is_active=false", token=customer.token)
    assert empty.status == 200 and empty.data == [] and empty.json["meta"]["total"] == 0
    assert api.get(f"/products/{inactive['id']}", token=customer.token).status == 404
    assert api.get(f"/products/{deleted['id']}", token=customer.token).status == 404
    assert api.get(f"/products/by-slug/{inactive['slug']}", token=customer.token).status == 404
    staff_view = api.get(f"/products?store_id={store}", token=admin.token)
    assert staff_view.json["meta"]["total"] == 2
    # deactivating / reactivating moves the store links' active view too
    api.patch(f"/products/{active['id']}", json={"is_active": False}, token=admin.token)
    assert api.get(f"/products?store_id={store}", token=customer.token).json["meta"]["total"] == 0
    api.patch(f"/products/{inactive['id']}", json={"is_active": True}, token=admin.token)
    reply = api.get(f"/products?store_id={store}", token=customer.token)
    assert [p["id"] for p in reply.data] == [inactive["id"]] and reply.json["meta"]["total"] == 1


def test_store_list_paging(api, admin, category):
    store = make_store(api, admin.token)
    made = [make_product(api, admin.token, category_id=category["id"], store_ids=[store], variants=0).data["id"] for _ in range(5)]
    seen, cursor = [], None
    while True:
        reply = api.get(f"/products?store_id={store}&per_page=2" + (f"&cursor={cursor}" if cursor else ""),
                        token=admin.token)
        assert reply.json["meta"]["total"] == 5 and len(reply.calls) <= 3
        seen += [p["id"] for p in reply.data]
        cursor = reply.json["meta"]["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(made))


def test_staff_and_customer_permissions(api, staff, customer, category, admin):
    assert api.get("/products", token=staff.token).status == 200
    assert api.post("/products", json={"name": "X", "product_category_id": category["id"]}, token=staff.token).status == 403
    product = make_product(api, admin.token, category_id=category["id"], variants=0).data
    assert api.patch(f"/products/{product['id']}", json={"name": "Y"}, token=customer.token).status == 403
    assert api.delete(f"/products/{product['id']}", token=staff.token).status == 403
    assert api.get("/products").status == 401


def test_featured_filters_through_listing_items(api, admin, customer, category):
    other = make_category(api, admin.token)
    a = make_product(api, admin.token, category_id=category["id"], is_featured=True, variants=0).data
    b = make_product(api, admin.token, category_id=category["id"], is_featured=True, is_active=False, variants=0).data
    c = make_product(api, admin.token, category_id=other["id"], is_featured=True, variants=0).data
    d = make_product(api, admin.token, category_id=category["id"], variants=0).data

    def ids(url: str, token: str = admin.token) -> tuple[list[str], int]:
        reply = api.get(url, token=token)
        assert reply.status == 200, reply.json
        assert len(reply.calls) <= 3, reply.calls
        return [p["id"] for p in reply.data], reply.json["meta"]["total"]

    assert ids("/products?is_featured=true") == ([c["id"], b["id"], a["id"]], 3)
    assert ids("/products?is_featured=false") == ([d["id"]], 1)
    assert ids(f"/products?product_category_id={category['id']}&is_featured=true") == ([b["id"], a["id"]], 2)
    assert ids(f"/products?product_category_id={category['id']}&is_featured=true&is_active=false") == ([b["id"]], 1)
    assert ids(f"/products?product_category_id={category['id']}&is_featured=true", customer.token) == ([a["id"]], 1)
    assert ids("/products?is_featured=true", customer.token) == ([c["id"], a["id"]], 2)
    # un-featuring, moving and deleting move the listing item and its totals
    api.patch(f"/products/{a['id']}", json={"is_featured": False}, token=admin.token)
    api.patch(f"/products/{c['id']}", json={"product_category_id": category["id"]}, token=admin.token)
    api.delete(f"/products/{b['id']}", token=admin.token)
    assert ids("/products?is_featured=true") == ([c["id"]], 1)
    assert ids(f"/products?product_category_id={category['id']}&is_featured=true") == ([c["id"]], 1)
    assert ids("/products?is_featured=false") == ([d["id"], a["id"]], 2)
    api.post(f"/products/{b['id']}/restore", token=admin.token)
    assert ids("/products?is_featured=true") == ([c["id"], b["id"]], 2)


def test_a_product_read_renders_at_most_twenty_stores(api, admin, category):
    stores = [make_store(api, admin.token, f"S{i}") for i in range(25)]
    product = make_product(api, admin.token, category_id=category["id"], store_ids=stores[:20], variants=0).data
    attached = api.post(f"/products/{product['id']}/stores", json={"store_ids": stores[20:]}, token=admin.token)
    assert attached.status in (200, 201), attached.json
    reply = api.get(f"/products/{product['id']}", token=admin.token)
    assert reply.status == 200 and len(reply.calls) <= 3
    assert len(reply.data["stores"]) == 20
