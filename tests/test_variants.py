"""Variants through HTTP: SKU uniqueness under concurrency, prices, option values, combinations, stock, deletes."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.builders import make_category, make_option, make_product, make_store, make_variant


@pytest.fixture
def product(api, admin):
    return make_product(api, admin.token, category_id=make_category(api, admin.token)["id"], variants=0).data


def test_create_read_and_prices(api, admin, customer, product):
    reply = api.post(f"/products/{product['id']}/variants",
                     json={"sku": "TS-RED-M", "price": "19.9", "compare_at_price": "25"}, token=admin.token)
    assert reply.status == 201 and len(reply.calls) <= 3
    variant = reply.data
    assert variant["price"] == "19.90" and variant["compare_at_price"] == "25.00" and variant["is_active"] is True
    reply = api.get(f"/product-variants/{variant['id']}", token=customer.token)
    assert reply.status == 200 and reply.data["stock"] == [] and reply.data["gallery"] == []
    assert len(reply.calls) <= 4
    for bad in (19.9, "19.999", "-1", "abc", "", 20):
        reply = api.post(f"/products/{product['id']}/variants", json={"sku": "X-1", "price": bad}, token=admin.token)
        assert reply.status == 422 and "price" in reply.errors, bad
    reply = api.post(f"/products/{product['id']}/variants", json={"sku": "bad sku!", "price": "1.00"}, token=admin.token)
    assert reply.status == 422 and "sku" in reply.errors


def test_sku_unique_across_the_catalog_case_insensitive(api, admin, product):
    make_variant(api, admin.token, product["id"], sku="ABC-1")
    other = make_product(api, admin.token, category_id=product["product_category_id"], variants=0).data
    reply = api.post(f"/products/{other['id']}/variants", json={"sku": "abc-1", "price": "1.00"}, token=admin.token)
    assert reply.status == 422 and "sku" in reply.errors


def test_parallel_variants_with_one_sku_exactly_one_wins(api, admin, product):
    options = [make_option(api, admin.token, product["id"], "Taille", [f"T{i}" for i in range(10)])]
    values = [v["id"] for v in options[0]["values"]]

    def create(i: int) -> int:
        return api.post(f"/products/{product['id']}/variants",
                        json={"sku": "SAME-SKU", "price": "5.00", "option_value_ids": [values[i]]},
                        token=admin.token).status

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(create, range(10)))
    assert sorted(statuses) == [201] + [422] * 9
    listed = api.get(f"/products/{product['id']}/variants", token=admin.token)
    assert [v["sku"] for v in listed.data] == ["SAME-SKU"] and listed.json["meta"]["total"] == 1


def test_option_values_rules(api, admin, product):
    size = make_option(api, admin.token, product["id"], "Taille", ["S", "M"])
    color = make_option(api, admin.token, product["id"], "Couleur", ["Rouge"])
    s, m = (v["id"] for v in size["values"])
    red = color["values"][0]["id"]
    other = make_product(api, admin.token, category_id=product["product_category_id"], variants=0).data
    foreign = make_option(api, admin.token, other["id"], "Taille", ["XL"])["values"][0]["id"]
    url = f"/products/{product['id']}/variants"
    reply = api.post(url, json={"sku": "A-1", "price": "1.00", "option_value_ids": [foreign]}, token=admin.token)
    assert reply.status == 422 and foreign in reply.errors["option_value_ids"][0]
    reply = api.post(url, json={"sku": "A-1", "price": "1.00", "option_value_ids": [s, m]}, token=admin.token)
    assert reply.status == 422 and "option_value_ids" in reply.errors
    reply = api.post(url, json={"sku": "A-1", "price": "1.00", "option_value_ids": [s, s]}, token=admin.token)
    assert reply.status == 422
    first = make_variant(api, admin.token, product["id"], option_value_ids=[s, red])
    assert first["option_value_ids"] == [s, red]
    reply = api.post(url, json={"sku": "A-2", "price": "1.00", "option_value_ids": [red, s]}, token=admin.token)
    assert reply.status == 422 and "option_value_ids" in reply.errors  # same combination, another order
    second = make_variant(api, admin.token, product["id"], option_value_ids=[m, red])
    # moving the second onto the first's combination is refused; onto a free one works and frees the old one
    path = f"/product-variants/{second['id']}"
    assert api.patch(path, json={"option_value_ids": [s, red]}, token=admin.token).status == 422
    reply = api.patch(path, json={"option_value_ids": [m]}, token=admin.token)
    assert reply.status == 200 and reply.data["option_value_ids"] == [m]
    assert make_variant(api, admin.token, product["id"], option_value_ids=[m, red])
    # the value "S" was used by the first variant only; after moving it away, S can be deleted
    assert api.delete(f"/product-option-values/{s}", token=admin.token).status == 409
    api.patch(f"/product-variants/{first['id']}", json={"option_value_ids": [red]}, token=admin.token)
    assert api.delete(f"/product-option-values/{s}", token=admin.token).status == 200


def test_one_variant_without_options_per_product(api, admin, product):
    make_variant(api, admin.token, product["id"])
    reply = api.post(f"/products/{product['id']}/variants", json={"sku": "B-2", "price": "1.00"}, token=admin.token)
    assert reply.status == 422 and "option_value_ids" in reply.errors


def test_update_sku_releases_the_old_one_and_preconditions(api, admin, product):
    variant = make_variant(api, admin.token, product["id"], sku="OLD-1")
    path = f"/product-variants/{variant['id']}"
    etag = api.get(path, token=admin.token).headers["etag"]
    reply = api.put(path, json={"sku": "NEW-1", "price": "3.50"}, token=admin.token, headers={"If-Match": etag})
    assert reply.status == 200 and reply.data["sku"] == "NEW-1" and reply.data["price"] == "3.50"
    assert api.patch(path, json={"price": "4.00"}, token=admin.token, headers={"If-Match": etag}).status == 412
    read = api.get(path, token=admin.token)  # the write answers what GET renders: stock, gallery, one ETag
    assert reply.data == read.data and "stock" in reply.data and reply.headers["etag"] == read.headers["etag"]
    reply = api.patch(path, json={"price": "4.00"}, token=admin.token, headers={"If-Match": reply.headers["etag"]})
    # auth, the variant with its stock (gsi5), the product and files, the write
    assert reply.status == 200 and reply.calls == ["BatchGetItem", "Query", "BatchGetItem", "TransactWriteItems"]
    assert api.patch(path, json={"compare_at_price": None}, token=admin.token).data["compare_at_price"] is None
    other = make_product(api, admin.token, category_id=product["product_category_id"], variants=0).data
    assert make_variant(api, admin.token, other["id"], sku="OLD-1")["sku"] == "OLD-1"
    reply = api.post(f"/products/{other['id']}/variants", json={"sku": "new-1", "price": "1.00"}, token=admin.token)
    assert reply.status == 422


def test_stock_and_delete(api, admin, product):
    from chalicelib.catalog.stock.models import stock_item

    store_a, store_b = make_store(api, admin.token, "A"), make_store(api, admin.token, "B")
    variant = make_variant(api, admin.token, product["id"], sku="STK-1")
    stock_item(product["id"], variant["id"], store_b, 7).save()
    stock_item(product["id"], variant["id"], store_a, 3).save()
    reply = api.get(f"/product-variants/{variant['id']}", token=admin.token)
    assert reply.data["stock"] == [{"store_id": store_a, "quantity": 3}, {"store_id": store_b, "quantity": 7}]
    assert len(reply.calls) <= 3  # auth, the variant's gsi5 partition (variant + stock), the product and files
    full = api.get(f"/products/{product['id']}", token=admin.token)
    assert full.data["variants"][0]["stock"] == reply.data["stock"]
    reply = api.delete(f"/product-variants/{variant['id']}", token=admin.token)
    assert reply.status == 200 and len(reply.calls) <= 4
    assert api.get(f"/product-variants/{variant['id']}", token=admin.token).status == 404
    from chalicelib.core.table import Entity

    left = list(Entity.query(f"PRODUCT#{product['id']}", Entity.sk.startswith("STOCK#")))
    assert left == []
    # SKU released
    assert make_variant(api, admin.token, product["id"], sku="STK-1")


def test_customers_see_active_variants_only(api, admin, customer, product):
    shown = make_variant(api, admin.token, product["id"], sku="V-ON")
    option = make_option(api, admin.token, product["id"], "Taille", ["S"])
    hidden = make_variant(api, admin.token, product["id"], sku="V-OFF", is_active=False,
                          option_value_ids=[option["values"][0]["id"]])
    assert api.get(f"/product-variants/{hidden['id']}", token=customer.token).status == 404
    listed = api.get(f"/products/{product['id']}/variants", token=customer.token)
    assert [v["id"] for v in listed.data] == [shown["id"]] and listed.json["meta"]["total"] == 1
    assert len(listed.calls) <= 3
    assert [v["id"] for v in api.get(f"/products/{product['id']}", token=customer.token).data["variants"]] == [shown["id"]]
    staff_list = api.get(f"/products/{product['id']}/variants", token=admin.token)
    assert staff_list.json["meta"]["total"] == 2
    api.patch(f"/products/{product['id']}", json={"is_active": False}, token=admin.token)
    assert api.get(f"/product-variants/{shown['id']}", token=customer.token).status == 404
    assert api.get(f"/products/{product['id']}/variants", token=customer.token).status == 404
    assert api.post(f"/products/{product['id']}/variants", json={"sku": "Z", "price": "1.00"},
                    token=customer.token).status == 403


def test_variants_paging(api, admin, product):
    option = make_option(api, admin.token, product["id"], "Taille", [f"T{i}" for i in range(5)])
    made = [make_variant(api, admin.token, product["id"], option_value_ids=[v["id"]])["id"] for v in option["values"]]
    seen, cursor = [], None
    while True:
        reply = api.get(f"/products/{product['id']}/variants?per_page=2" + (f"&cursor={cursor}" if cursor else ""),
                        token=admin.token)
        assert reply.json["meta"]["total"] == 5 and reply.json["meta"]["last_page"] == 3
        seen += [v["id"] for v in reply.data]
        cursor = reply.json["meta"]["next_cursor"]
        if not cursor:
            break
    assert seen == made


def test_idempotent_variant_create(api, admin, product):
    headers = {"Idempotency-Key": "var-1"}
    body = {"sku": "IDEM-1", "price": "2.00"}
    first = api.post(f"/products/{product['id']}/variants", json=body, token=admin.token, headers=headers)
    again = api.post(f"/products/{product['id']}/variants", json=body, token=admin.token, headers=headers)
    assert first.status == again.status == 201 and first.data["id"] == again.data["id"]
    assert api.get(f"/products/{product['id']}/variants", token=admin.token).json["meta"]["total"] == 1


def test_variants_of_missing_products(api, admin):
    assert api.post("/products/nope/variants", json={"sku": "N-1", "price": "1.00"}, token=admin.token).status == 404
    assert api.get("/products/nope/variants", token=admin.token).status == 404


def test_delete_a_variant_stocked_in_more_stores_than_one_transaction_holds(api, admin, product):
    from chalicelib.catalog.stock.models import stock_item
    from chalicelib.core.table import Entity

    variant = make_variant(api, admin.token, product["id"], sku="MANY-1")
    for i in range(120):
        stock_item(product["id"], variant["id"], f"store{i:03d}", i).save()
    assert api.delete(f"/product-variants/{variant['id']}", token=admin.token).status == 200
    assert list(Entity.query(f"PRODUCT#{product['id']}", Entity.sk.startswith("STOCK#"))) == []
    assert make_variant(api, admin.token, product["id"], sku="MANY-1")


def test_limits(api, admin, product):
    from chalicelib.catalog.products.models import ProductItem
    from chalicelib.core import keys

    url = f"/products/{product['id']}/variants"
    reply = api.post(url, json={"sku": "L-1", "price": "1.00", "option_value_ids": [f"v{i}" for i in range(101)]},
                     token=admin.token)
    assert reply.status == 422 and "option_value_ids" in reply.errors
    # 2,048 variants: the product's count is the guard (set directly rather than creating them all)
    ProductItem(*keys.product_key(product["id"])).update(actions=[ProductItem.variants_count.set(2048)])
    reply = api.post(url, json={"sku": "L-2", "price": "1.00"}, token=admin.token)
    assert reply.status == 422 and "2048" in reply.errors["sku"][0]
