"""Product ↔ store links over HTTP: list a store's products, attach a product to stores, detach it (its stock
in that store goes with it)."""
from __future__ import annotations

from chalicelib.core import keys
from chalicelib.core.table import Entity
from tests.builders import add_members, attach, create_store, make_product


def _stock_rows(product_id: str) -> list[Entity]:
    return [item for item in Entity.query(keys.product_partition(product_id), Entity.sk.startswith("STOCK#"))]


def test_attach_then_list_a_stores_products(api, admin, customer):
    store = create_store(api, admin.token)
    first, second = make_product(api, admin.token, name="Alpha"), make_product(api, admin.token, name="Beta")
    reply = api.post(f"/products/{first.product_id}/stores", json={"store_ids": [store["id"]]}, token=admin.token)
    assert reply.status == 200 and len(reply.calls) <= 3
    assert reply.data == {"product_id": first.product_id, "attached": [store["id"]], "already_attached": []}
    attach(api, admin.token, second.product_id, store["id"])
    listed = api.get(f"/stores/{store['id']}/products", token=customer.token)
    assert listed.status == 200 and len(listed.calls) <= 3
    assert [p["id"] for p in listed.data] == [second.product_id, first.product_id]
    assert listed.data[0]["name"] == "Beta" and listed.json["meta"]["total"] == 2


def test_list_pages_with_a_cursor(api, admin):
    store = create_store(api, admin.token)
    products = [make_product(api, admin.token, name=f"P{n}").product_id for n in range(3)]
    for pid in products:
        attach(api, admin.token, pid, store["id"])
    first = api.get(f"/stores/{store['id']}/products?per_page=2", token=admin.token)
    second = api.get(f"/stores/{store['id']}/products?per_page=2&cursor={first.json['meta']['next_cursor']}",
                     token=admin.token)
    assert [p["id"] for p in first.data + second.data] == products[::-1]
    assert second.json["meta"] == {"per_page": 2, "current_page": 2, "last_page": 2, "total": 3, "next_cursor": None}
    assert len(second.calls) <= 3


def test_customers_see_only_active_products_and_nobody_sees_deleted_ones(api, admin, customer, manager):
    store = create_store(api, admin.token)
    active, inactive, deleted = make_product(api, admin.token), make_product(api, admin.token, is_active=False), make_product(api, admin.token)
    for item in (active, inactive, deleted):
        attach(api, admin.token, item.product_id, store["id"])
    assert api.delete(f"/products/{deleted.product_id}", token=admin.token).status == 200
    as_customer = api.get(f"/stores/{store['id']}/products", token=customer.token)
    assert [p["id"] for p in as_customer.data] == [active.product_id] and as_customer.json["meta"]["total"] == 1
    as_manager = api.get(f"/stores/{store['id']}/products", token=manager.token)
    assert [p["id"] for p in as_manager.data] == [inactive.product_id, active.product_id]
    assert as_manager.json["meta"]["total"] == 2
    # Restored, it is listed again; deactivated, customers stop seeing it (the catalog moves the link's lists).
    assert api.post(f"/products/{deleted.product_id}/restore", token=admin.token).status == 200
    assert api.patch(f"/products/{active.product_id}", json={"is_active": False}, token=admin.token).status == 200
    as_customer = api.get(f"/stores/{store['id']}/products", token=customer.token)
    assert [p["id"] for p in as_customer.data] == [deleted.product_id] and as_customer.json["meta"]["total"] == 1


def test_inactive_or_unknown_store_products(api, admin, customer, staff):
    store = create_store(api, admin.token, is_active=False)
    assert api.get(f"/stores/{store['id']}/products", token=customer.token).status == 404
    assert api.get(f"/stores/{store['id']}/products", token=staff.token).status == 200
    assert api.get("/stores/nope/products", token=admin.token).status == 404


def test_attach_is_idempotent_and_counts_once(api, admin):
    store, other = create_store(api, admin.token), create_store(api, admin.token)
    item = make_product(api, admin.token)
    attach(api, admin.token, item.product_id, store["id"])
    again = api.post(f"/products/{item.product_id}/stores", json={"store_ids": [store["id"], other["id"]]},
                     token=admin.token)
    assert again.data["attached"] == [other["id"]] and again.data["already_attached"] == [store["id"]]
    assert api.get(f"/stores/{store['id']}/products", token=admin.token).json["meta"]["total"] == 1


def test_unknown_store_or_product(api, admin):
    store = create_store(api, admin.token)
    item = make_product(api, admin.token)
    reply = api.post(f"/products/{item.product_id}/stores", json={"store_ids": [store["id"], "nope"]},
                     token=admin.token, headers={"Accept-Language": "en"})
    assert reply.status == 422 and reply.errors == {"store_ids.1": ["Store nope does not exist."]}
    assert api.get(f"/stores/{store['id']}/products", token=admin.token).data == []
    assert api.post("/products/nope/stores", json={"store_ids": [store["id"]]}, token=admin.token).status == 404
    deleted = make_product(api, admin.token, deleted=True)
    assert api.post(f"/products/{deleted.product_id}/stores", json={"store_ids": [store["id"]]},
                    token=admin.token).status == 404
    assert api.post(f"/products/{item.product_id}/stores", json={"store_ids": []}, token=admin.token).status == 422


def test_attach_to_many_stores_checks_them_all_first(api, admin):
    stores = [create_store(api, admin.token, name=f"M{n}")["id"] for n in range(35)]
    item = make_product(api, admin.token)
    refused = api.post(f"/products/{item.product_id}/stores", json={"store_ids": stores + ["nope"]}, token=admin.token)
    assert refused.status == 422 and list(refused.errors) == ["store_ids.35"]
    assert not [link for link in Entity.query(keys.product_partition(item.product_id), Entity.sk.startswith("STORE#"))]
    reply = api.post(f"/products/{item.product_id}/stores", json={"store_ids": stores}, token=admin.token)
    assert reply.status == 200 and sorted(reply.data["attached"]) == sorted(stores)
    assert api.get(f"/stores/{stores[34]}/products", token=admin.token).json["meta"]["total"] == 1


def test_detach_removes_the_link_and_the_products_stock_in_that_store(api, admin):
    store, other = create_store(api, admin.token), create_store(api, admin.token)
    item = make_product(api, admin.token, variants=2)
    attach(api, admin.token, item.product_id, store["id"], other["id"])
    for vid in item.variant_ids:
        for sid in (store["id"], other["id"]):
            assert api.put(f"/product-variants/{vid}/stock/{sid}", json={"quantity": 5}, token=admin.token).status == 200
    reply = api.delete(f"/products/{item.product_id}/stores/{store['id']}", token=admin.token)
    assert reply.status == 200 and len(reply.calls) <= 3
    left = _stock_rows(item.product_id)
    assert {row.store_id for row in left} == {other["id"]} and len(left) == 2
    assert api.get(f"/stores/{store['id']}/products", token=admin.token).json["meta"]["total"] == 0
    assert api.get(f"/stores/{other['id']}/products", token=admin.token).json["meta"]["total"] == 1
    assert api.delete(f"/products/{item.product_id}/stores/{store['id']}", token=admin.token).status == 404


def test_permissions(api, admin, manager, staff, customer):
    store = create_store(api, admin.token)
    item = make_product(api, admin.token)
    add_members(api, admin.token, store["id"], manager.id)  # managers act on stores they belong to (issue 10 #3)
    for account in (staff, customer):
        assert api.post(f"/products/{item.product_id}/stores", json={"store_ids": [store["id"]]},
                        token=account.token).status == 403
    assert api.post(f"/products/{item.product_id}/stores", json={"store_ids": [store["id"]]},
                    token=manager.token).status == 200
    for account in (staff, customer):
        assert api.delete(f"/products/{item.product_id}/stores/{store['id']}", token=account.token).status == 403
    assert api.delete(f"/products/{item.product_id}/stores/{store['id']}", token=manager.token).status == 200


def test_detach_after_a_variant_was_deleted(api, admin):
    store = create_store(api, admin.token)
    item = make_product(api, admin.token, variants=2)
    attach(api, admin.token, item.product_id, store["id"])
    for vid in item.variant_ids:
        api.put(f"/product-variants/{vid}/stock/{store['id']}", json={"quantity": 1}, token=admin.token)
    assert api.delete(f"/product-variants/{item.variant_ids[0]}", token=admin.token).status == 200
    assert api.delete(f"/products/{item.product_id}/stores/{store['id']}", token=admin.token).status == 200
    assert _stock_rows(item.product_id) == []
    assert api.get(f"/stores/{store['id']}/products", token=admin.token).json["meta"]["total"] == 0


def test_detach_is_refused_while_reservations_hold_units_there(api, admin, manager):
    """Units a checkout holds do not vanish with the link: 409 naming them, nothing removed; once the
    reservation is released (or committed) the detach goes through. A manager of another store learns nothing."""
    store, other = create_store(api, admin.token)["id"], create_store(api, admin.token)["id"]
    add_members(api, admin.token, other, manager.id)
    item = make_product(api, admin.token, variants=2)
    attach(api, admin.token, item.product_id, store)
    for vid in item.variant_ids:
        assert api.put(f"/product-variants/{vid}/stock/{store}", json={"quantity": 5}, token=admin.token).status == 200
    held = api.post("/reservations", json={"store_id": store, "items": [{"variant_id": item.variant_ids[1],
                                                                          "quantity": 2}]}, token=admin.token)
    assert held.status == 201, held.json
    path = f"/products/{item.product_id}/stores/{store}"
    assert api.delete(path, token=manager.token).status == 403  # not its store: the 403 comes before the 409
    refused = api.delete(path, token=admin.token)
    assert refused.status == 409 and "2" in refused.json["error"], refused.json
    assert len(_stock_rows(item.product_id)) == 2
    assert api.get(f"/stores/{store}/products", token=admin.token).json["meta"]["total"] == 1
    assert api.post(f"/reservations/{held.data['id']}/release", token=admin.token).status == 200
    assert api.delete(path, token=admin.token).status == 200
    assert _stock_rows(item.product_id) == []


def test_an_expired_hold_does_not_stop_a_detach(api, admin):
    from chalicelib.core.table import set_clock_skew
    store = create_store(api, admin.token)["id"]
    item = make_product(api, admin.token)
    attach(api, admin.token, item.product_id, store)
    assert api.put(f"/product-variants/{item.variant_id}/stock/{store}", json={"quantity": 5},
                   token=admin.token).status == 200
    held = api.post("/reservations", json={"store_id": store, "items": [{"variant_id": item.variant_id, "quantity": 1}],
                                           "ttl_seconds": 60}, token=admin.token)
    assert held.status == 201
    set_clock_skew(120)  # two minutes on: the hold's time has come
    try:
        assert api.delete(f"/products/{item.product_id}/stores/{store}", token=admin.token).status == 200
    finally:
        set_clock_skew(0)


def _stocked_and_priced(api, admin, variants: int):
    """A product of `variants` variants in a USD store (no base price there), each stocked and priced."""
    store = create_store(api, admin.token, currency="USD")["id"]
    item = make_product(api, admin.token, variants=variants)
    attach(api, admin.token, item.product_id, store)
    for vid in item.variant_ids:
        assert api.put(f"/product-variants/{vid}/stock/{store}", json={"quantity": 3}, token=admin.token).status == 200
        assert api.put(f"/product-variants/{vid}/prices/{store}", json={"price": "8"}, token=admin.token).status == 201
    return store, item


def test_a_detach_bigger_than_one_transaction_goes_in_batches_and_leaves_nothing(api, admin, monkeypatch):
    """Records past one transaction go first, a batch at a time, the link last: every stock record and
    override gone, the store's override total back to 0 (its currency can change again)."""
    from chalicelib.catalog.links import services

    monkeypatch.setattr(services, "_STOCK_PER_TX", 4)  # 3 variants = 6 records: two transactions
    store, item = _stocked_and_priced(api, admin, 3)
    reply = api.delete(f"/products/{item.product_id}/stores/{store}", token=admin.token)
    assert reply.status == 200, reply.json
    assert reply.calls.count("Query") == 1 and reply.calls.count("TransactWriteItems") == 2  # no read between
    assert _stock_rows(item.product_id) == []
    assert api.get(f"/stores/{store}/products", token=admin.token).json["meta"]["total"] == 0
    assert api.patch(f"/stores/{store}", json={"currency": "EUR"}, token=admin.token).status == 200


def test_a_detach_out_of_time_is_a_503_and_sending_it_again_finishes_it(api, admin, monkeypatch):
    """One request's share of a very big detach runs out: 503 + Retry-After, what it deleted stays deleted, the
    link stays (the product is still attached, with fewer records), and the next DELETE goes on from there."""
    from chalicelib.catalog.links import services

    monkeypatch.setattr(services, "_STOCK_PER_TX", 2)
    monkeypatch.setattr(services, "DETACH_BUDGET_SECONDS", -1)  # every request stops after one batch
    store, item = _stocked_and_priced(api, admin, 3)
    path = f"/products/{item.product_id}/stores/{store}"
    statuses = []
    for _ in range(5):
        reply = api.delete(path, token=admin.token)
        statuses.append(reply.status)
        if reply.status != 503:
            break
        assert reply.headers["retry-after"] == "1"
        assert api.get(f"/stores/{store}/products", token=admin.token).json["meta"]["total"] == 1
    assert statuses == [503, 503, 200]  # 6 records, 2 a batch: two batches, then the last with the link
    assert _stock_rows(item.product_id) == []
    assert api.patch(f"/stores/{store}", json={"currency": "EUR"}, token=admin.token).status == 200
    assert api.delete(path, token=admin.token).status == 404
