"""Reservations over HTTP: all or nothing, validation, commit/release state rules, expiry (the clock moved,
no sleep), the scheduled sweep invoked as Lambda invokes it, permissions, Idempotency-Key, call budgets."""
from __future__ import annotations

import pytest

from tests.builders import add_members, attach, create_store, make_product

SWEEP_EVENT = {"version": "0", "id": "5b4b0e4c-0000-0000-0000-000000000000", "detail-type": "Scheduled Event",
               "source": "aws.events", "account": "123456789012", "time": "2026-12-02T05:00:00Z",
               "region": "eu-west-1", "resources": ["arn:aws:events:eu-west-1:123456789012:rule/sweep"], "detail": {}}


@pytest.fixture
def clock():
    """Move the API's clock forward (reservation expiry) instead of sleeping; always put back."""
    from chalicelib.core.table import set_clock_skew

    yield set_clock_skew
    set_clock_skew(0)


@pytest.fixture
def shop(api, admin):
    """A store carrying a product of 3 variants, stocked 10, 5 and 0."""
    store = create_store(api, admin.token)["id"]
    item = make_product(api, admin.token, variants=3)
    attach(api, admin.token, item.product_id, store)
    for variant_id, quantity in zip(item.variant_ids, (10, 5, 0)):
        assert api.put(f"/product-variants/{variant_id}/stock/{store}", json={"quantity": quantity},
                       token=admin.token).status == 200
    return store, item


def _reserve(api, token, store, *lines, headers=None, **extra):
    body = {"store_id": store, "items": [{"variant_id": v, "quantity": q} for v, q in lines], **extra}
    return api.post("/reservations", json=body, token=token, headers=headers or {})


def _level(api, token, variant_id, store):
    rows = api.get(f"/product-variants/{variant_id}/stock", token=token).data["stock"]
    row = next(r for r in rows if r["store_id"] == store)
    return row["quantity"], row["reserved"], row["available"]


def test_a_reservation_holds_units_and_answers_its_shape(api, admin, shop):
    store, item = shop
    reply = _reserve(api, admin.token, store, (item.variant_ids[0], 3), (item.variant_ids[1], 5), reference="cart-1")
    assert reply.status == 201, reply.json
    data = reply.data
    assert set(data) == {"id", "status", "store_id", "items", "reference", "expires_at", "created_at"}
    assert data["status"] == "active" and data["store_id"] == store and data["reference"] == "cart-1"
    assert data["items"] == [{"variant_id": item.variant_ids[0], "product_id": item.product_id, "quantity": 3},
                             {"variant_id": item.variant_ids[1], "product_id": item.product_id, "quantity": 5}]
    assert data["expires_at"] > data["created_at"]  # default ttl 900 s
    assert _level(api, admin.token, item.variant_ids[0], store) == (10, 3, 7)
    assert _level(api, admin.token, item.variant_ids[1], store) == (5, 5, 0)
    read = api.get(f"/reservations/{data['id']}", token=admin.token)
    assert read.status == 200 and read.data == data and "etag" in read.headers
    assert api.get("/reservations/nope", token=admin.token).status == 404


def test_all_or_nothing_names_the_short_item(api, admin, shop):
    store, item = shop
    reply = _reserve(api, admin.token, store, (item.variant_ids[0], 2), (item.variant_ids[1], 6),
                     (item.variant_ids[2], 1), headers={"Accept-Language": "en"})
    assert reply.status == 409
    assert set(reply.errors) == {"items.1.quantity", "items.2.quantity"}
    assert reply.errors["items.1.quantity"] == ["Not enough available stock: 5 available"]
    for variant_id, quantity in zip(item.variant_ids, (10, 5, 0)):
        assert _level(api, admin.token, variant_id, store) == (quantity, 0, quantity)  # nothing held
    movements = api.get(f"/stores/{store}/stock-movements", token=admin.token)
    assert {r["kind"] for r in movements.data} == {"set"}


def test_validation(api, admin, shop):
    store, item = shop
    v = item.variant_ids
    bad = [
        {"store_id": store, "items": []},
        {"store_id": store, "items": [{"variant_id": v[0], "quantity": 0}]},
        {"store_id": store, "items": [{"variant_id": v[0], "quantity": 1.5}]},
        {"store_id": store, "items": [{"variant_id": v[0], "quantity": "1"}]},
        {"store_id": store, "items": [{"variant_id": v[0], "quantity": 1}, {"variant_id": v[0], "quantity": 1}]},
        {"store_id": store, "items": [{"variant_id": f"v{n}", "quantity": 1} for n in range(21)]},
        {"store_id": store, "items": [{"variant_id": v[0], "quantity": 1}], "ttl_seconds": 9},
        {"store_id": store, "items": [{"variant_id": v[0], "quantity": 1}], "ttl_seconds": 3601},
        {"store_id": store, "items": [{"variant_id": v[0], "quantity": 1}], "reference": "x" * 256},
        {"store_id": store, "items": [{"variant_id": v[0], "quantity": 1, "price": 1}]},
        {"items": [{"variant_id": v[0], "quantity": 1}]},
        {"store_id": store, "items": [{"variant_id": v[0], "quantity": 1}], "status": "committed"},
    ]
    for body in bad:
        assert api.post("/reservations", json=body, token=admin.token).status == 422, body
    repeated = api.post("/reservations", json=bad[4], token=admin.token)
    assert "items" in repeated.errors
    # a variant not stocked in that store (unknown, or stocked elsewhere only) → 422 on its line
    elsewhere = create_store(api, admin.token)["id"]
    reply = _reserve(api, admin.token, elsewhere, (v[0], 1))
    assert reply.status == 422 and set(reply.errors) == {"items.0.variant_id"}
    reply = _reserve(api, admin.token, store, (v[0], 1), ("unknown-variant", 1))
    assert reply.status == 422 and set(reply.errors) == {"items.1.variant_id"}
    assert _level(api, admin.token, v[0], store) == (10, 0, 10)
    for ttl in (10, 3600):
        assert _reserve(api, admin.token, store, (v[0], 1), ttl_seconds=ttl).status == 201


def test_commit_and_release_state_rules(api, admin, shop):
    store, item = shop
    v = item.variant_ids[0]
    committed = _reserve(api, admin.token, store, (v, 4)).data["id"]
    released = _reserve(api, admin.token, store, (v, 2)).data["id"]
    assert _level(api, admin.token, v, store) == (10, 6, 4)
    done = api.post(f"/reservations/{committed}/commit", token=admin.token)
    assert done.status == 200 and done.data["status"] == "committed"
    assert _level(api, admin.token, v, store) == (6, 2, 4)
    back = api.post(f"/reservations/{released}/release", token=admin.token)
    assert back.status == 200 and back.data["status"] == "released"
    assert _level(api, admin.token, v, store) == (6, 0, 6)
    for rid, status in ((committed, "committed"), (released, "released")):
        for action in ("commit", "release"):
            again = api.post(f"/reservations/{rid}/{action}", token=admin.token, headers={"Accept-Language": "en"})
            assert again.status == 409 and status in again.json["error"], (rid, action)
        assert api.get(f"/reservations/{rid}", token=admin.token).data["status"] == status
    assert _level(api, admin.token, v, store) == (6, 0, 6)
    assert api.post("/reservations/nope/commit", token=admin.token).status == 404
    assert api.post("/reservations/nope/release", token=admin.token).status == 404


def test_expiry_frees_the_units_at_once_and_the_sweep_writes_the_movements(api, admin, shop, clock):
    store, item = shop
    v = item.variant_ids[1]  # 5 units
    first = _reserve(api, admin.token, store, (v, 5), ttl_seconds=10).data
    assert _reserve(api, admin.token, store, (v, 1)).status == 409
    clock(10)  # expires_at has come: from this moment on it reads expired
    read = api.get(f"/reservations/{first['id']}", token=admin.token)
    assert read.data["status"] == "expired"
    assert _level(api, admin.token, v, store) == (5, 0, 5)
    assert api.post(f"/reservations/{first['id']}/commit", token=admin.token).status == 409
    assert api.post(f"/reservations/{first['id']}/release", token=admin.token).status == 409
    # a new reservation sees the units, and its write drops the expired hold with its movement
    second = _reserve(api, admin.token, store, (v, 4), ttl_seconds=10)
    assert second.status == 201
    kinds = [r["kind"] for r in api.get(f"/product-variants/{v}/stock/{store}/movements", token=admin.token).data]
    assert kinds[:3] == ["reserved", "expired", "reserved"]
    clock(25)
    result = api.client.lambda_.invoke("sweep_reservations", SWEEP_EVENT)
    assert result.payload == {"expired": 2, "skipped": 0}
    rows = api.get(f"/product-variants/{v}/stock/{store}/movements", token=admin.token).data
    assert [(r["kind"], r["reservation_id"], r["reserved_after"]) for r in rows[:3]] == [
        ("expired", second.data["id"], 0), ("reserved", second.data["id"], 4), ("expired", first["id"], 0)]
    assert len([r for r in rows if r["kind"] == "expired" and r["reservation_id"] == first["id"]]) == 1
    assert api.get(f"/reservations/{first['id']}", token=admin.token).data["status"] == "expired"
    # nothing left to do: the sweep is safe to repeat
    assert api.client.lambda_.invoke("sweep_reservations", SWEEP_EVENT).payload == {"expired": 0, "skipped": 0}
    assert _level(api, admin.token, v, store) == (5, 0, 5)


def test_the_sweep_leaves_live_reservations_alone(api, admin, shop, clock):
    store, item = shop
    live = _reserve(api, admin.token, store, (item.variant_ids[0], 2), ttl_seconds=60).data["id"]
    due = _reserve(api, admin.token, store, (item.variant_ids[0], 3), ttl_seconds=10).data["id"]
    clock(30)
    # the module attribute the template's Handler names, called as the Lambda runtime calls it
    from chalicelib.catalog.reservations.sweep_function import sweep_reservations

    assert sweep_reservations(SWEEP_EVENT, None) == {"expired": 1, "skipped": 0}
    assert api.get(f"/reservations/{live}", token=admin.token).data["status"] == "active"
    assert api.get(f"/reservations/{due}", token=admin.token).data["status"] == "expired"
    assert _level(api, admin.token, item.variant_ids[0], store) == (10, 2, 8)
    assert api.post(f"/reservations/{live}/commit", token=admin.token).status == 200


def test_permissions(api, admin, manager, staff, customer, shop):
    store, item = shop
    other = create_store(api, admin.token)["id"]
    attach(api, admin.token, item.product_id, other)
    api.put(f"/product-variants/{item.variant_id}/stock/{other}", json={"quantity": 10}, token=admin.token)
    add_members(api, admin.token, store, manager.id, staff.id)
    foreign = _reserve(api, admin.token, other, (item.variant_id, 1)).data["id"]
    for account in (manager, staff):
        mine = _reserve(api, account.token, store, (item.variant_id, 1))
        assert mine.status == 201
        assert api.get(f"/reservations/{mine.data['id']}", token=account.token).status == 200
        assert api.post(f"/reservations/{mine.data['id']}/release", token=account.token).status == 200
        # another store: refused before anything about its stock is told (short, unknown or fine alike)
        for lines in (((item.variant_id, 1),), ((item.variant_id, 999),), (("unknown", 1),)):
            assert _reserve(api, account.token, other, *lines).status == 403
        assert api.get(f"/reservations/{foreign}", token=account.token).status == 403
        assert api.post(f"/reservations/{foreign}/commit", token=account.token).status == 403
        assert api.post(f"/reservations/{foreign}/release", token=account.token).status == 403
    assert api.get(f"/reservations/{foreign}", token=admin.token).data["status"] == "active"
    assert _level(api, admin.token, item.variant_id, other) == (10, 1, 9)
    for token in (customer.token, None):
        expected = 403 if token else 401
        assert _reserve(api, token, store, (item.variant_id, 1)).status == expected
        assert api.get(f"/reservations/{foreign}", token=token).status == expected
        assert api.post(f"/reservations/{foreign}/commit", token=token).status == expected
        assert api.post(f"/reservations/{foreign}/release", token=token).status == expected


def test_idempotency_key_replays_the_first_answer(api, admin, shop):
    store, item = shop
    body = {"store_id": store, "items": [{"variant_id": item.variant_ids[1], "quantity": 5}]}
    key = {"Idempotency-Key": "checkout-42"}
    first = api.post("/reservations", json=body, token=admin.token, headers=key)
    again = api.post("/reservations", json=body, token=admin.token, headers=key)  # the stock is now all held
    assert first.status == again.status == 201 and again.data == first.data
    assert again.headers.get("idempotent-replayed") == "true"
    assert _level(api, admin.token, item.variant_ids[1], store) == (5, 5, 0)
    other = api.post("/reservations", json={**body, "ttl_seconds": 60}, token=admin.token, headers=key)
    assert other.status == 422 and "Idempotency-Key" in other.errors


def test_call_budgets(api, admin, manager):
    store = create_store(api, admin.token)["id"]
    add_members(api, admin.token, store, manager.id)
    item = make_product(api, admin.token, variants=20)
    attach(api, admin.token, item.product_id, store)
    for variant_id in item.variant_ids:
        api.put(f"/product-variants/{variant_id}/stock/{store}", json={"quantity": 50}, token=admin.token)
    one = _reserve(api, manager.token, store, (item.variant_id, 1))
    twenty = _reserve(api, manager.token, store, *[(v, 2) for v in item.variant_ids])
    assert one.status == twenty.status == 201
    # auth, the variants' pointers + membership, the stock entries, one transaction: the same for 1 item and 20
    assert one.calls == twenty.calls == ["BatchGetItem", "BatchGetItem", "BatchGetItem", "TransactWriteItems"]
    read = api.get(f"/reservations/{twenty.data['id']}", token=manager.token)
    assert read.status == 200 and len(read.calls) <= 3
    commit = api.post(f"/reservations/{twenty.data['id']}/commit", token=manager.token)
    assert commit.status == 200 and commit.calls == ["BatchGetItem", "GetItem", "BatchGetItem", "TransactWriteItems"]
    # a stock read stays at its budget however many reservations hold units on the entry
    for _ in range(15):
        assert _reserve(api, manager.token, store, (item.variant_id, 1)).status == 201
    stock = api.get(f"/product-variants/{item.variant_id}/stock", token=manager.token)
    assert len(stock.calls) <= 3 and stock.data["stock"][0]["reserved"] == 16
    assert len(api.get(f"/products/{item.product_id}", token=manager.token).calls) <= 3


def test_a_variant_without_a_pointer_is_found_by_its_lookup_and_a_deleted_one_is_not_stocked(api, admin, shop):
    from chalicelib.catalog.products.models import VariantPointerItem
    from chalicelib.core import keys

    store, item = shop
    VariantPointerItem.get(*keys.variant_pointer_key(item.variant_ids[1])).delete()  # as a variant created before
    reply = _reserve(api, admin.token, store, (item.variant_ids[0], 2), (item.variant_ids[1], 1))
    assert reply.status == 201, reply.json
    # one gsi5 Query more, for the variant without a pointer only
    assert reply.calls == ["BatchGetItem", "BatchGetItem", "Query", "BatchGetItem", "TransactWriteItems"]
    assert [line["product_id"] for line in reply.data["items"]] == [item.product_id] * 2
    assert _level(api, admin.token, item.variant_ids[1], store) == (5, 1, 4)
    assert api.post(f"/reservations/{reply.data['id']}/release", token=admin.token).status == 200  # else 409
    assert api.delete(f"/product-variants/{item.variant_ids[0]}", token=admin.token).status in (200, 204)
    gone = _reserve(api, admin.token, store, (item.variant_ids[0], 1), (item.variant_ids[1], 1))
    assert gone.status == 422 and list(gone.errors) == ["items.0.variant_id"]


def test_many_expired_holds_are_cleaned_within_one_transaction_and_the_sweep_does_the_rest(api, admin, clock):
    store = create_store(api, admin.token)["id"]
    item = make_product(api, admin.token, variants=20)
    attach(api, admin.token, item.product_id, store)
    for variant_id in item.variant_ids:
        api.put(f"/product-variants/{variant_id}/stock/{store}", json={"quantity": 10}, token=admin.token)
    lines = [(v, 3) for v in item.variant_ids]
    old = [_reserve(api, admin.token, store, *lines, ttl_seconds=10).data["id"] for _ in range(3)]
    clock(11)
    # 20 records with 3 expired holds each: 60 cleanups do not fit beside the 20 new holds in one transaction;
    # the reservation still goes through in its 4 calls, cleaning up what fits
    fresh = _reserve(api, admin.token, store, *[(v, 10) for v in item.variant_ids])
    assert fresh.status == 201, fresh.json
    assert fresh.calls == ["BatchGetItem", "BatchGetItem", "BatchGetItem", "TransactWriteItems"]
    for variant_id in item.variant_ids:
        assert _level(api, admin.token, variant_id, store) == (10, 10, 0)
    movements = api.get(f"/stores/{store}/stock-movements?per_page=100", token=admin.token).json["meta"]["total"]
    cleaned = movements - 20 - 60 - 20  # set, the old holds, the new holds
    assert 0 < cleaned < 60
    assert api.client.lambda_.invoke("sweep_reservations", SWEEP_EVENT).payload == {"expired": 3, "skipped": 0}
    after = api.get(f"/stores/{store}/stock-movements?per_page=100", token=admin.token).json["meta"]["total"]
    assert after == 20 + 60 + 20 + 60  # every old hold expired exactly once
    assert {api.get(f"/reservations/{rid}", token=admin.token).data["status"] for rid in old} == {"expired"}
    assert api.get(f"/reservations/{fresh.data['id']}", token=admin.token).data["status"] == "active"


def test_a_variant_with_held_units_cannot_be_deleted_until_they_are_released_or_expire(api, admin, shop, clock):
    store, item = shop
    held = _reserve(api, admin.token, store, (item.variant_ids[0], 3), ttl_seconds=60)
    assert held.status == 201
    refused = api.delete(f"/product-variants/{item.variant_ids[0]}", token=admin.token)
    assert refused.status == 409 and refused.json["success"] is False
    assert api.get(f"/product-variants/{item.variant_ids[0]}", token=admin.token).status == 200  # nothing deleted
    assert _level(api, admin.token, item.variant_ids[0], store) == (10, 3, 7)
    clock(61)  # expired: the units are free, so the variant may go
    assert api.delete(f"/product-variants/{item.variant_ids[0]}", token=admin.token).status == 200
    assert api.get(f"/product-variants/{item.variant_ids[0]}", token=admin.token).status == 404


def test_a_reservation_whose_store_was_deleted_cannot_be_committed(api, admin, shop):
    """Deleting a store does not wait for its reservations; committing one afterwards would sell units of a
    stock that no longer exists: 409 naming the lines, nothing changes, and it can still be released."""
    store, item = shop
    held = _reserve(api, admin.token, store, (item.variant_ids[0], 2), (item.variant_ids[1], 1))
    assert held.status == 201, held.json
    assert api.delete(f"/stores/{store}", token=admin.token).status == 200
    refused = api.post(f"/reservations/{held.data['id']}/commit", token=admin.token)
    assert refused.status == 409, refused.json
    assert set(refused.errors) == {"items.0.variant_id", "items.1.variant_id"}
    assert api.get(f"/reservations/{held.data['id']}", token=admin.token).data["status"] == "active"
    released = api.post(f"/reservations/{held.data['id']}/release", token=admin.token)
    assert released.status == 200 and released.data["status"] == "released"
