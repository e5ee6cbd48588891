"""Options and option values through HTTP: uniqueness, limits, in-use deletes, reads, preconditions."""
from __future__ import annotations

import pytest

from tests.builders import make_category, make_option, make_product, make_variant


@pytest.fixture
def product(api, admin):
    return make_product(api, admin.token, category_id=make_category(api, admin.token)["id"], variants=0).data


def test_create_and_read_options_with_values(api, admin, customer, product):
    reply = api.post(f"/products/{product['id']}/options", json={"name": "Taille", "position": 2}, token=admin.token)
    assert reply.status == 201 and len(reply.calls) <= 3
    option = reply.data
    assert option["product_id"] == product["id"] and option["name"] == "Taille" and option["position"] == 2
    for text, position in (("L", 3), ("S", 1), ("M", 2)):
        made = api.post(f"/product-options/{option['id']}/values", json={"value": text, "position": position},
                        token=admin.token)
        assert made.status == 201 and len(made.calls) <= 3
        assert made.data["option_id"] == option["id"]
    reply = api.get(f"/product-options/{option['id']}", token=customer.token)
    assert reply.status == 200 and len(reply.calls) <= 3
    assert [v["value"] for v in reply.data["values"]] == ["S", "M", "L"]
    listed = api.get(f"/products/{product['id']}/options", token=customer.token)
    assert listed.status == 200 and listed.json["meta"]["total"] == 1 and len(listed.calls) <= 2
    assert listed.data[0]["values"][0]["value"] == "S"
    values = api.get(f"/product-options/{option['id']}/values", token=customer.token)
    assert [v["value"] for v in values.data] == ["S", "M", "L"] and values.json["meta"]["total"] == 3
    assert len(values.calls) <= 3
    one = api.get(f"/product-option-values/{values.data[0]['id']}", token=customer.token)
    assert one.status == 200 and one.data["value"] == "S" and len(one.calls) <= 3
    assert api.get("/product-options/nope", token=admin.token).status == 404
    assert api.get("/product-option-values/nope", token=admin.token).status == 404


def test_option_names_unique_per_product_case_insensitive(api, admin, product):
    make_option(api, admin.token, product["id"], "Couleur", [])
    reply = api.post(f"/products/{product['id']}/options", json={"name": "couleur"}, token=admin.token)
    assert reply.status == 422 and "name" in reply.errors
    other = make_product(api, admin.token, category_id=product["product_category_id"], variants=0).data
    assert api.post(f"/products/{other['id']}/options", json={"name": "Couleur"}, token=admin.token).status == 201
    # renaming frees the old name and takes the new one
    second = make_option(api, admin.token, product["id"], "Matière", [])
    assert api.patch(f"/product-options/{second['id']}", json={"name": "COULEUR"}, token=admin.token).status == 422
    assert api.patch(f"/product-options/{second['id']}", json={"name": "Tissu"}, token=admin.token).status == 200
    assert api.post(f"/products/{product['id']}/options", json={"name": "Matière"}, token=admin.token).status == 201


def test_at_most_five_options(api, admin, product):
    for i in range(5):
        make_option(api, admin.token, product["id"], f"Option {i}", [])
    reply = api.post(f"/products/{product['id']}/options", json={"name": "Sixième"}, token=admin.token)
    assert reply.status == 422 and "5" in reply.errors["name"][0]


def test_values_unique_and_limited(api, admin, product):
    option = make_option(api, admin.token, product["id"], "Pointure", ["40"])
    reply = api.post(f"/product-options/{option['id']}/values", json={"value": "40"}, token=admin.token)
    assert reply.status == 422 and "value" in reply.errors
    for i in range(99):
        assert api.post(f"/product-options/{option['id']}/values", json={"value": f"v{i}"}, token=admin.token).status == 201
    reply = api.post(f"/product-options/{option['id']}/values", json={"value": "one too many"}, token=admin.token)
    assert reply.status == 422 and "100" in reply.errors["value"][0]
    # an option with 100 values can still be deleted (the transaction is split by size)
    assert api.delete(f"/product-options/{option['id']}", token=admin.token).status == 200
    assert api.get(f"/products/{product['id']}/options", token=admin.token).data == []


def test_delete_in_use_is_409(api, admin, product):
    option = make_option(api, admin.token, product["id"], "Couleur", ["Rouge", "Bleu"])
    red, blue = option["values"]
    variant = make_variant(api, admin.token, product["id"], option_value_ids=[red["id"]])
    assert api.delete(f"/product-option-values/{red['id']}", token=admin.token).status == 409
    assert api.delete(f"/product-options/{option['id']}", token=admin.token).status == 409
    reply = api.delete(f"/product-option-values/{blue['id']}", token=admin.token)
    assert reply.status == 200 and len(reply.calls) <= 3
    assert api.delete(f"/product-variants/{variant['id']}", token=admin.token).status == 200
    reply = api.delete(f"/product-options/{option['id']}", token=admin.token)
    assert reply.status == 200 and len(reply.calls) <= 3
    assert api.get(f"/product-option-values/{red['id']}", token=admin.token).status == 404
    # the name is free again
    assert api.post(f"/products/{product['id']}/options", json={"name": "Couleur"}, token=admin.token).status == 201


def test_update_values_and_preconditions(api, admin, product):
    option = make_option(api, admin.token, product["id"], "Couleur", ["Rouge", "Bleu"])
    red = option["values"][0]
    path = f"/product-option-values/{red['id']}"
    etag = api.get(path, token=admin.token).headers["etag"]
    assert api.patch(path, json={"value": "bleu"}, token=admin.token).status == 422
    reply = api.put(path, json={"value": "Vert", "position": 5}, token=admin.token, headers={"If-Match": etag})
    assert reply.status == 200 and reply.data["value"] == "Vert" and len(reply.calls) <= 3
    assert api.patch(path, json={"value": "Noir"}, token=admin.token, headers={"If-Match": etag}).status == 412
    assert api.post(f"/product-options/{option['id']}/values", json={"value": "Rouge"}, token=admin.token).status == 201
    opath = f"/product-options/{option['id']}"
    get_etag = api.get(opath, token=admin.token).headers["etag"]
    reply = api.patch(opath, json={"position": 3}, token=admin.token, headers={"If-Match": get_etag})
    # the write answers what GET renders (the option with its values): one ETag for both
    assert reply.status == 200 and reply.data["position"] == 3 and reply.data == api.get(opath, token=admin.token).data
    assert sorted(v["value"] for v in reply.data["values"]) == ["Bleu", "Rouge", "Vert"]
    write_etag = reply.headers["etag"]
    assert write_etag == api.get(opath, token=admin.token).headers["etag"]
    assert api.patch(opath, json={"position": 4}, token=admin.token, headers={"If-Match": get_etag}).status == 412
    reply = api.patch(opath, json={"position": 4}, token=admin.token, headers={"If-Match": write_etag})
    # auth, the option by id (gsi5), the option's values (Query), the write
    assert reply.status == 200 and reply.calls == ["BatchGetItem", "Query", "Query", "TransactWriteItems"]
    assert api.get(opath, token=admin.token, headers={"If-None-Match": api.get(opath, token=admin.token).headers["etag"]}).status == 304


def test_customers_and_inactive_products(api, admin, customer, product):
    option = make_option(api, admin.token, product["id"], "Couleur", ["Rouge"])
    api.patch(f"/products/{product['id']}", json={"is_active": False}, token=admin.token)
    assert api.get(f"/products/{product['id']}/options", token=customer.token).status == 404
    assert api.get(f"/product-options/{option['id']}", token=customer.token).status == 404
    assert api.get(f"/product-options/{option['id']}/values", token=customer.token).status == 404
    assert api.get(f"/product-option-values/{option['values'][0]['id']}", token=customer.token).status == 404
    assert api.get(f"/product-options/{option['id']}", token=admin.token).status == 200
    assert api.post(f"/products/{product['id']}/options", json={"name": "X"}, token=customer.token).status == 403
    assert api.post(f"/product-options/{option['id']}/values", json={"value": "X"}, token=customer.token).status == 403


def test_options_of_missing_or_deleted_products(api, admin, product):
    assert api.post("/products/nope/options", json={"name": "X"}, token=admin.token).status == 404
    api.delete(f"/products/{product['id']}", token=admin.token)
    assert api.post(f"/products/{product['id']}/options", json={"name": "X"}, token=admin.token).status == 404


def test_idempotent_option_and_value_creates(api, admin, product):
    headers = {"Idempotency-Key": "opt-1"}
    first = api.post(f"/products/{product['id']}/options", json={"name": "Taille"}, token=admin.token, headers=headers)
    again = api.post(f"/products/{product['id']}/options", json={"name": "Taille"}, token=admin.token, headers=headers)
    assert first.status == again.status == 201 and first.data["id"] == again.data["id"]
    headers = {"Idempotency-Key": "val-1"}
    url = f"/product-options/{first.data['id']}/values"
    first_value = api.post(url, json={"value": "M"}, token=admin.token, headers=headers)
    again_value = api.post(url, json={"value": "M"}, token=admin.token, headers=headers)
    assert first_value.data["id"] == again_value.data["id"]
    assert api.get(url, token=admin.token).json["meta"]["total"] == 1
