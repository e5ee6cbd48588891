"""Write rules shared by every resource: PATCH refuses null on a field that cannot be cleared (one rule,
core.schemas.patch_field), compare_at_price ≥ price, the stock cap of 10⁹ through adjust."""
from __future__ import annotations

from tests.builders import attach, create_store, make_product


def _catalog(api, admin):
    item = make_product(api, admin.token, variants=2)
    option_id = api.get(f"/products/{item.product_id}/options", token=admin.token).data[0]["id"]
    value_id = api.get(f"/product-options/{option_id}/values", token=admin.token).data[0]["id"]
    category_id = api.get(f"/products/{item.product_id}", token=admin.token).data["product_category_id"]
    return item, option_id, value_id, category_id


# --- item 9 ----------------------------------------------------------------------------------------------
def test_patch_with_null_on_a_required_field_is_422_on_that_field_everywhere(api, admin):
    item, option_id, value_id, category_id = _catalog(api, admin)
    store = create_store(api, admin.token)
    cases = [
        (f"/products/{item.product_id}", ["name", "product_category_id", "is_active", "is_featured"]),
        (f"/product-categories/{category_id}", ["name", "position", "is_active"]),
        (f"/product-variants/{item.variant_id}", ["sku", "price", "option_value_ids", "is_active"]),
        (f"/product-options/{option_id}", ["name", "position"]),
        (f"/product-option-values/{value_id}", ["value", "position"]),
        (f"/stores/{store['id']}", ["name", "slug", "currency", "is_active"]),
        (f"/users/{admin.id}", ["name", "email", "is_active"]),
    ]
    for path, fields in cases:
        before = api.get(path, token=admin.token).data
        for field in fields:
            reply = api.patch(path, json={field: None}, token=admin.token, headers={"Accept-Language": "en"})
            assert reply.status == 422, (path, field, reply.json)
            assert reply.errors == {field: [f"The {field} field cannot be null."]}, (path, reply.errors)
        assert api.get(path, token=admin.token).data == before


def test_patch_may_still_clear_optional_fields(api, admin):
    item, _, _, category_id = _catalog(api, admin)
    reply = api.patch(f"/products/{item.product_id}", json={"description": "x"}, token=admin.token)
    assert reply.status == 200
    reply = api.patch(f"/products/{item.product_id}", json={"description": None}, token=admin.token)
    assert reply.status == 200 and reply.data["description"] is None
    reply = api.patch(f"/product-variants/{item.variant_id}", json={"compare_at_price": None}, token=admin.token)
    assert reply.status == 200 and reply.data["compare_at_price"] is None
    reply = api.patch(f"/product-categories/{category_id}", json={"parent_id": None}, token=admin.token)
    assert reply.status == 200


# --- item 10 ---------------------------------------------------------------------------------------------
def test_compare_at_price_below_price_is_422_on_create_put_and_patch(api, admin):
    item, *_ = _catalog(api, admin)
    reply = api.post(f"/products/{item.product_id}/variants", token=admin.token,
                     json={"sku": "LOW-1", "price": "20.00", "compare_at_price": "19.99"})
    assert reply.status == 422 and list(reply.errors) == ["compare_at_price"]
    equal = api.post(f"/products/{item.product_id}/variants", token=admin.token,
                     json={"sku": "EQ-1", "price": "20.00", "compare_at_price": "20.0"})
    assert equal.status == 201, equal.json
    path = f"/product-variants/{item.variant_id}"  # price 19.90
    assert api.patch(path, json={"compare_at_price": "19.89"}, token=admin.token).status == 422
    assert api.patch(path, json={"compare_at_price": "25.00"}, token=admin.token).status == 200
    reply = api.patch(path, json={"price": "25.01"}, token=admin.token)  # against the stored compare_at_price
    assert reply.status == 422 and list(reply.errors) == ["compare_at_price"]
    reply = api.put(path, json={"sku": "PUT-1", "price": "9.00", "compare_at_price": "8.00"}, token=admin.token)
    assert reply.status == 422
    assert api.get(path, token=admin.token).data["price"] == "19.90"


def test_adjust_never_takes_stock_past_the_cap(api, admin):
    store = create_store(api, admin.token)["id"]
    item = make_product(api, admin.token)
    attach(api, admin.token, item.product_id, store)
    base = f"/product-variants/{item.variant_id}/stock/{store}"
    assert api.post(f"{base}/adjust", json={"delta": 10**9}, token=admin.token).data["quantity"] == 10**9
    for delta in (10**9, 1):
        reply = api.post(f"{base}/adjust", json={"delta": delta}, token=admin.token)
        assert reply.status == 409 and reply.json["success"] is False, reply.json
    stock = api.get(f"/product-variants/{item.variant_id}/stock", token=admin.token).data["stock"]
    assert [row["quantity"] for row in stock] == [10**9]
    assert api.post(f"{base}/adjust", json={"delta": -1}, token=admin.token).data["quantity"] == 10**9 - 1
    assert api.post(f"{base}/adjust", json={"delta": 1}, token=admin.token).data["quantity"] == 10**9
