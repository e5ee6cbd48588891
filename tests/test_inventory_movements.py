"""Stock movements over HTTP: one per change with the right delta and *_after values, both lists newest first
and paginated, kept after the entry is deleted, immutable, and readable only with stock.update on that store."""
from __future__ import annotations

import pytest

from tests.builders import add_members, attach, create_store, make_product


@pytest.fixture
def stocked(api, admin):
    store = create_store(api, admin.token)["id"]
    item = make_product(api, admin.token, variants=2)
    attach(api, admin.token, item.product_id, store)
    return store, item


def _entry(item, store, n=0):
    return f"/product-variants/{item.variant_ids[n]}/stock/{store}"


def _movements(api, token, path, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return api.get(f"{path}{'?' + query if query else ''}", token=token)


def test_every_kind_of_change_writes_its_movement(api, admin, stocked):
    store, item = stocked
    base = _entry(item, store)
    assert api.put(base, json={"quantity": 10}, token=admin.token).status == 200
    assert api.put(base, json={"quantity": 7}, token=admin.token).status == 200
    adjusted = api.post(f"{base}/adjust", json={"delta": 5, "reason": "received", "reference": "PO-1"}, token=admin.token)
    assert adjusted.status == 200 and adjusted.data["quantity"] == 12 and adjusted.data["available"] == 12
    held = api.post("/reservations", json={"store_id": store, "items": [{"variant_id": item.variant_id, "quantity": 3}]},
                    token=admin.token)
    assert held.status == 201
    released = api.post("/reservations", json={"store_id": store, "items": [{"variant_id": item.variant_id,
                                                                              "quantity": 2}]}, token=admin.token)
    assert api.post(f"/reservations/{released.data['id']}/release", token=admin.token).status == 200
    assert api.post(f"/reservations/{held.data['id']}/commit", token=admin.token).status == 200
    assert api.delete(base, token=admin.token).status == 200

    listed = _movements(api, admin.token, f"{base}/movements")
    assert listed.status == 200
    rows = list(reversed(listed.data))  # oldest first, to read the story in order
    assert [(r["kind"], r["delta"], r["quantity_after"], r["reserved_after"]) for r in rows] == [
        ("set", 10, 10, 0), ("set", -3, 7, 0), ("adjust", 5, 12, 0), ("reserved", 0, 12, 3), ("reserved", 0, 12, 5),
        ("released", 0, 12, 3), ("committed", -3, 9, 0), ("deleted", -9, 0, 0)]
    assert rows[2]["reason"] == "received" and rows[2]["reference"] == "PO-1"
    assert rows[0]["reason"] is None and rows[0]["reservation_id"] is None
    assert [r["reservation_id"] for r in rows[3:7]] == [held.data["id"], released.data["id"], released.data["id"],
                                                        held.data["id"]]
    assert {r["actor_id"] for r in rows} == {admin.id}
    assert {(r["variant_id"], r["store_id"]) for r in rows} == {(item.variant_id, store)}
    assert all(r["created_at"].endswith("Z") and r["id"] for r in rows)
    assert listed.json["meta"]["total"] == 8
    # the history outlives the entry, and the store's list holds the same movements
    per_store = _movements(api, admin.token, f"/stores/{store}/stock-movements")
    assert [r["id"] for r in per_store.data] == [r["id"] for r in listed.data]


def test_adjust_reason_defaults_to_correction_and_is_validated(api, admin, stocked):
    store, item = stocked
    base = _entry(item, store)
    assert api.post(f"{base}/adjust", json={"delta": 2}, token=admin.token).status == 200
    assert _movements(api, admin.token, f"{base}/movements").data[0]["reason"] == "correction"
    for body in ({"delta": 1, "reason": "stolen"}, {"delta": 1, "reference": "x" * 256}, {"delta": 1, "reference": ""},
                 {"delta": 1, "reason": None}, {"delta": 1, "reference": 5}):
        reply = api.post(f"{base}/adjust", json=body, token=admin.token)
        assert reply.status == 422, body
    assert api.post(f"{base}/adjust", json={"delta": 1, "reference": "x" * 255}, token=admin.token).status == 200


def test_quantity_never_goes_below_reserved(api, admin, stocked):
    store, item = stocked
    base = _entry(item, store)
    api.put(base, json={"quantity": 5}, token=admin.token)
    held = api.post("/reservations", json={"store_id": store, "items": [{"variant_id": item.variant_id, "quantity": 4}]},
                    token=admin.token)
    assert held.status == 201
    en = {"Accept-Language": "en"}
    below = api.put(base, json={"quantity": 3}, token=admin.token, headers=en)
    assert below.status == 409 and "4 reserved" in below.json["error"]
    assert api.post(f"{base}/adjust", json={"delta": -2}, token=admin.token).status == 409
    assert api.delete(base, token=admin.token).status == 409  # units are held: commit or release first
    stock = api.get(f"/product-variants/{item.variant_id}/stock", token=admin.token).data["stock"][0]
    assert (stock["quantity"], stock["reserved"], stock["available"]) == (5, 4, 1)
    assert api.put(base, json={"quantity": 4}, token=admin.token).status == 200
    assert api.post(f"{base}/adjust", json={"delta": -1}, token=admin.token).status == 409
    assert [r["kind"] for r in _movements(api, admin.token, f"{base}/movements").data] == ["set", "reserved", "set"]


def test_both_lists_paginate_newest_first(api, admin, stocked):
    store, item = stocked
    for n in range(7):
        assert api.post(f"{_entry(item, store, n % 2)}/adjust", json={"delta": n + 1}, token=admin.token).status == 200
    seen = []
    cursor = None
    for page in range(1, 4):
        reply = _movements(api, admin.token, f"/stores/{store}/stock-movements", per_page=3,
                           **({"cursor": cursor} if cursor else {}))
        assert reply.status == 200 and len(reply.calls) <= 3
        meta = reply.json["meta"]
        assert meta["total"] == 7 and meta["current_page"] == page and meta["last_page"] == 3
        seen += [r["delta"] for r in reply.data]
        cursor = meta["next_cursor"]
    assert cursor is None and seen == [7, 6, 5, 4, 3, 2, 1]
    first = _movements(api, admin.token, f"{_entry(item, store)}/movements", per_page=2)
    assert [r["delta"] for r in first.data] == [7, 5] and first.json["meta"]["total"] == 4 and len(first.calls) <= 3
    second = _movements(api, admin.token, f"{_entry(item, store)}/movements", per_page=2,
                        cursor=first.json["meta"]["next_cursor"])
    assert [r["delta"] for r in second.data] == [3, 1] and second.json["meta"]["next_cursor"] is None
    # a cursor of one list is refused by the other
    other = _movements(api, admin.token, f"/stores/{store}/stock-movements", cursor=first.json["meta"]["next_cursor"])
    assert other.status == 422 and "cursor" in other.errors


def test_movements_cannot_be_changed_or_deleted(api, admin, stocked):
    store, item = stocked
    base = _entry(item, store)
    api.put(base, json={"quantity": 1}, token=admin.token)
    movement = _movements(api, admin.token, f"{base}/movements").data[0]
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        for path in (f"{base}/movements", f"/stores/{store}/stock-movements"):
            reply = api.request(method, path, json_body={} if method != "DELETE" else None, token=admin.token)
            assert reply.status == 405 and reply.json["success"] is False, (method, path)
    for method in ("GET", "PUT", "PATCH", "DELETE", "POST"):  # a single movement has no route at all
        one = api.request(method, f"{base}/movements/{movement['id']}",
                          json_body=None if method in ("GET", "DELETE") else {"delta": 0}, token=admin.token)
        assert one.status == 404 and one.json["success"] is False, method
    # nor does a write reach one: later changes add movements, the first stays as it was
    api.put(base, json={"quantity": 2}, token=admin.token)
    assert _movements(api, admin.token, f"{base}/movements").data[1] == movement
    api.delete(base, token=admin.token)
    assert _movements(api, admin.token, f"{base}/movements").data[2] == movement


def test_movement_lists_need_stock_update_on_that_store(api, admin, manager, staff, customer, stocked):
    store, item = stocked
    other = create_store(api, admin.token)["id"]
    attach(api, admin.token, item.product_id, other)
    api.put(_entry(item, store), json={"quantity": 1}, token=admin.token)
    api.put(_entry(item, other), json={"quantity": 1}, token=admin.token)
    add_members(api, admin.token, store, manager.id, staff.id)
    for account in (manager, staff):
        for path in (f"{_entry(item, store)}/movements", f"/stores/{store}/stock-movements"):
            assert _movements(api, account.token, path).status == 200
        for path in (f"{_entry(item, other)}/movements", f"/stores/{other}/stock-movements"):
            reply = _movements(api, account.token, path)
            assert reply.status == 403 and "data" not in reply.json, path
            later = _movements(api, account.token, path, cursor="x.y")
            assert later.status in (403, 422)
    for path in (f"{_entry(item, store)}/movements", f"/stores/{store}/stock-movements"):
        assert _movements(api, customer.token, path).status == 403
        assert api.get(path).status == 401
    # the movement a member writes names them
    api.post(f"{_entry(item, store)}/adjust", json={"delta": 1}, token=staff.token)
    assert _movements(api, staff.token, f"{_entry(item, store)}/movements").data[0]["actor_id"] == staff.id


def test_a_product_read_does_not_carry_the_history(api, admin, stocked):
    store, item = stocked
    base = _entry(item, store)
    api.put(base, json={"quantity": 1}, token=admin.token)
    before = api.get(f"/products/{item.product_id}", token=admin.token)
    for _ in range(5):
        api.post(f"{base}/adjust", json={"delta": 1}, token=admin.token)
    after = api.get(f"/products/{item.product_id}", token=admin.token)
    assert after.status == 200 and after.calls == before.calls
    assert len(after.body) - len(before.body) < 40  # only the quantity and timestamps changed


def test_an_outsider_learns_nothing_of_a_stores_stock(api, admin, staff, stocked):
    store, item = stocked
    mine = create_store(api, admin.token)["id"]
    add_members(api, admin.token, mine, staff.id)
    base = _entry(item, store)
    api.put(base, json={"quantity": 5}, token=admin.token)
    assert api.post("/reservations", json={"store_id": store, "items": [{"variant_id": item.variant_id, "quantity": 4}]},
                    token=admin.token).status == 201
    # each of these would be a 409 or 422 telling quantities or reservations to a member: 403 to an outsider
    for reply in (api.put(base, json={"quantity": 1}, token=staff.token),
                  api.post(f"{base}/adjust", json={"delta": -5}, token=staff.token),
                  api.post(f"{base}/adjust", json={"delta": 10**9}, token=staff.token),
                  api.delete(base, token=staff.token),
                  api.post(f"{_entry(item, store, 1)}/adjust", json={"delta": -1}, token=staff.token),
                  api.delete(_entry(item, store, 1), token=staff.token)):
        assert reply.status == 403, reply.json
    stock = api.get(f"/product-variants/{item.variant_id}/stock", token=admin.token).data["stock"][0]
    assert (stock["quantity"], stock["reserved"]) == (5, 4)


def test_movement_lists_of_an_unknown_store_or_variant_are_404(api, admin, manager, stocked):
    store, item = stocked
    assert api.put(_entry(item, store), json={"quantity": 3}, token=admin.token).status == 200
    unknown_store = _movements(api, admin.token, "/stores/01ZZZZZZZZZZZZZZZZZZZZZZZZ/stock-movements")
    assert unknown_store.status == 404 and unknown_store.json["success"] is False
    unknown_variant = _movements(api, admin.token, f"/product-variants/01ZZZZZZZZZZZZZZZZZZZZZZZZ/stock/{store}/movements")
    assert unknown_variant.status == 404
    unknown_entry_store = _movements(api, admin.token, f"{_entry(item, '01ZZZZZZZZZZZZZZZZZZZZZZZZ')}/movements")
    assert unknown_entry_store.status == 404
    # a manager of no store asking about a real store: 403, not a hint about the variant
    assert _movements(api, manager.token, f"/product-variants/01ZZZZZZZZZZZZZZZZZZZZZZZZ/stock/{store}/movements").status == 403
    # a store being deleted shows no history either
    assert api.delete(f"/stores/{store}", token=admin.token).status == 200
    assert _movements(api, admin.token, f"/stores/{store}/stock-movements").status == 404
