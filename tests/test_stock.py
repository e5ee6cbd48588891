"""Stock over HTTP: read per store, set, atomic adjust (30 concurrent −1 on 10), delete; the store must carry
the product; non-admins only in their stores; If-Match; budgets."""
from __future__ import annotations

import threading

from tests.builders import add_members, attach, create_store, make_product
from tests.conftest import resend_while_busy


def _setup(api, admin, **product):
    store = create_store(api, admin.token)
    item = make_product(api, admin.token, **product)
    attach(api, admin.token, item.product_id, store["id"])
    return store["id"], item


def test_set_then_read_stock_in_every_store(api, admin, customer):
    sid, item = _setup(api, admin)
    other = create_store(api, admin.token)["id"]
    attach(api, admin.token, item.product_id, other)
    reply = api.put(f"/product-variants/{item.variant_id}/stock/{sid}", json={"quantity": 7}, token=admin.token)
    assert reply.status == 200 and len(reply.calls) <= 3
    assert reply.data["quantity"] == 7 and reply.data["store_id"] == sid and reply.data["variant_id"] == item.variant_id
    assert reply.data["product_id"] == item.product_id and reply.data["updated_at"].endswith("Z")
    api.put(f"/product-variants/{item.variant_id}/stock/{other}", json={"quantity": 0}, token=admin.token)
    listed = api.get(f"/product-variants/{item.variant_id}/stock", token=customer.token)
    assert listed.status == 200 and len(listed.calls) <= 3
    assert listed.data["product_id"] == item.product_id and listed.data["variant_id"] == item.variant_id
    assert {(row["store_id"], row["quantity"]) for row in listed.data["stock"]} == {(sid, 7), (other, 0)}
    again = api.get(f"/product-variants/{item.variant_id}/stock", token=customer.token,
                    headers={"If-None-Match": listed.headers["etag"]})
    assert again.status == 304
    replaced = api.put(f"/product-variants/{item.variant_id}/stock/{sid}", json={"quantity": 3}, token=admin.token)
    assert replaced.data["quantity"] == 3


def test_quantity_and_delta_are_validated(api, admin):
    sid, item = _setup(api, admin)
    base = f"/product-variants/{item.variant_id}/stock/{sid}"
    for body in ({"quantity": -1}, {"quantity": 1.5}, {"quantity": "3"}, {}, {"quantity": 1, "extra": 1}):
        assert api.put(base, json=body, token=admin.token).status == 422, body
    for body in ({"delta": 0}, {"delta": 0.5}, {"delta": "1"}, {}):
        assert api.post(f"{base}/adjust", json=body, token=admin.token).status == 422, body
    zero = api.post(f"{base}/adjust", json={"delta": 0}, token=admin.token, headers={"Accept-Language": "en"})
    assert zero.errors == {"delta": ["The stock change cannot be zero."]}


def test_adjust_adds_and_removes_and_never_goes_below_zero(api, admin):
    sid, item = _setup(api, admin)
    base = f"/product-variants/{item.variant_id}/stock/{sid}"
    up = api.post(f"{base}/adjust", json={"delta": 4}, token=admin.token)
    assert up.status == 200 and up.data["quantity"] == 4  # a missing record starts at 0
    down = api.post(f"{base}/adjust", json={"delta": -3}, token=admin.token)
    assert down.status == 200 and down.data["quantity"] == 1 and len(down.calls) <= 3
    refused = api.post(f"{base}/adjust", json={"delta": -2}, token=admin.token, headers={"Accept-Language": "en"})
    assert refused.status == 409 and refused.json["error"].startswith("Insufficient stock")
    assert api.get(f"/product-variants/{item.variant_id}/stock", token=admin.token).data["stock"][0]["quantity"] == 1


def test_negative_adjust_on_missing_stock_is_409(api, admin):
    sid, item = _setup(api, admin)
    assert api.post(f"/product-variants/{item.variant_id}/stock/{sid}/adjust", json={"delta": -1},
                    token=admin.token).status == 409


def test_thirty_concurrent_decrements_of_ten_units(api, admin):
    sid, item = _setup(api, admin)
    base = f"/product-variants/{item.variant_id}/stock/{sid}"
    assert api.put(base, json={"quantity": 10}, token=admin.token).status == 200
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(30)

    def take_one() -> None:
        start.wait()
        status = resend_while_busy(lambda: api.post(f"{base}/adjust", json={"delta": -1}, token=admin.token)).status
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=take_one) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(200) == 10 and statuses.count(409) == 20
    assert api.get(f"/product-variants/{item.variant_id}/stock", token=admin.token).data["stock"][0]["quantity"] == 0


def test_store_not_carrying_the_product_is_422(api, admin):
    item = make_product(api, admin.token)
    store = create_store(api, admin.token)["id"]
    base = f"/product-variants/{item.variant_id}/stock/{store}"
    for reply in (api.put(base, json={"quantity": 1}, token=admin.token),
                  api.post(f"{base}/adjust", json={"delta": 1}, token=admin.token),
                  api.post(f"{base}/adjust", json={"delta": -1}, token=admin.token)):
        assert reply.status == 422 and "store_id" in reply.errors
    assert api.get(f"/product-variants/{item.variant_id}/stock", token=admin.token).data["stock"] == []
    assert api.put(f"/product-variants/{item.variant_id}/stock/nope", json={"quantity": 1}, token=admin.token).status == 422


def test_unknown_variant_is_404(api, admin):
    assert api.get("/product-variants/nope/stock", token=admin.token).status == 404
    assert api.put("/product-variants/nope/stock/x", json={"quantity": 1}, token=admin.token).status == 404


def test_customers_do_not_see_stock_of_inactive_products_or_variants(api, admin, customer):
    _, item = _setup(api, admin, is_active=False)
    assert api.get(f"/product-variants/{item.variant_id}/stock", token=customer.token).status == 404
    assert api.get(f"/product-variants/{item.variant_id}/stock", token=admin.token).status == 200
    _, item2 = _setup(api, admin, variant_active=False)
    assert api.get(f"/product-variants/{item2.variant_id}/stock", token=customer.token).status == 404
    deleted = make_product(api, admin.token, deleted=True)
    assert api.get(f"/product-variants/{deleted.variant_id}/stock", token=customer.token).status == 404
    assert api.get(f"/product-variants/{deleted.variant_id}/stock", token=admin.token).status == 200


def test_managers_and_staff_change_stock_only_in_their_stores(api, admin, manager, staff):
    sid, item = _setup(api, admin)
    other = create_store(api, admin.token)["id"]
    attach(api, admin.token, item.product_id, other)
    add_members(api, admin.token, sid, manager.id, staff.id)
    for account in (manager, staff):
        inside = f"/product-variants/{item.variant_id}/stock/{sid}"
        outside = f"/product-variants/{item.variant_id}/stock/{other}"
        put = api.put(inside, json={"quantity": 5}, token=account.token)
        assert put.status == 200 and len(put.calls) <= 3
        adjust = api.post(f"{inside}/adjust", json={"delta": -1}, token=account.token)
        assert adjust.status == 200 and adjust.data["quantity"] == 4
        # auth, the variant with its record (one Query), then one transaction: the record's conditional update,
        # its movement and the membership's ConditionCheck
        assert adjust.calls == ["BatchGetItem", "Query", "TransactWriteItems"]
        assert api.put(outside, json={"quantity": 5}, token=account.token).status == 403
        assert api.post(f"{outside}/adjust", json={"delta": 1}, token=account.token).status == 403
        assert api.delete(outside, token=account.token).status == 403
    stock = {row["store_id"]: row["quantity"] for row in api.get(f"/product-variants/{item.variant_id}/stock",
                                                                  token=admin.token).data["stock"]}
    assert stock == {sid: 4}
    assert api.delete(f"/product-variants/{item.variant_id}/stock/{sid}", token=staff.token).status == 200


def test_customers_cannot_change_stock(api, admin, customer):
    sid, item = _setup(api, admin)
    assert api.put(f"/product-variants/{item.variant_id}/stock/{sid}", json={"quantity": 1},
                   token=customer.token).status == 403


def test_delete_stock(api, admin):
    sid, item = _setup(api, admin)
    base = f"/product-variants/{item.variant_id}/stock/{sid}"
    api.put(base, json={"quantity": 2}, token=admin.token)
    reply = api.delete(base, token=admin.token)
    assert reply.status == 200 and len(reply.calls) <= 3
    assert api.get(f"/product-variants/{item.variant_id}/stock", token=admin.token).data["stock"] == []
    assert api.delete(base, token=admin.token).status == 404
    from chalicelib.catalog.links.models import ProductStoreItem
    from chalicelib.core import keys

    assert ProductStoreItem.get(*keys.product_store_key(item.product_id, sid)).variant_ids is None


def test_if_match_on_stock(api, admin):
    sid, item = _setup(api, admin)
    base = f"/product-variants/{item.variant_id}/stock/{sid}"
    etag = api.put(base, json={"quantity": 2}, token=admin.token).headers["etag"]
    assert api.put(base, json={"quantity": 3}, token=admin.token, headers={"If-Match": etag}).status == 200
    assert api.put(base, json={"quantity": 4}, token=admin.token, headers={"If-Match": etag}).status == 412
    assert api.delete(base, token=admin.token, headers={"If-Match": etag}).status == 412
    assert api.get(f"/product-variants/{item.variant_id}/stock", token=admin.token).data["stock"][0]["quantity"] == 3
