"""Store prices over HTTP (docs/api.md §6, store prices): overrides per variant and store, the bulk write, the
effective price rule in store-context reads, the currency lock, the cascades, permissions, If-Match, budgets."""
from __future__ import annotations

from tests.builders_catalog import add_members, attach, create_store, make_product


def _setup(api, admin, *, currency: str = "EUR", variants: int = 1):
    store = create_store(api, admin.token, currency=currency)
    item = make_product(api, admin.token, variants=variants)
    attach(api, admin.token, item.product_id, store["id"])
    return store["id"], item


def _price_path(variant_id: str, store_id: str) -> str:
    return f"/product-variants/{variant_id}/prices/{store_id}"


def _variant_in(api, token, variant_id: str, store_id: str) -> dict:
    reply = api.get(f"/product-variants/{variant_id}?store_id={store_id}", token=token)
    assert reply.status == 200, reply.json
    return reply.data


# --- the single override: happy path, ETag, If-Match ------------------------------------------------
def test_put_creates_then_replaces_an_override_with_etag(api, admin, customer):
    sid, item = _setup(api, admin, currency="USD")
    path = _price_path(item.variant_id, sid)
    created = api.put(path, json={"price": "24.5", "compare_at_price": "30"}, token=admin.token)
    assert created.status == 201, created.json
    assert created.data == {"store_id": sid, "currency": "USD", "price": "24.50", "compare_at_price": "30.00",
                            "updated_at": created.data["updated_at"]}
    assert created.headers["etag"] and created.json["message"]
    # The first override of a variant in a store not in the base currency: the guessed currency (the base one)
    # fails the store's condition, the store is read and the transaction sent again.
    assert created.calls == ["BatchGetItem", "Query", "TransactWriteItems", "GetItem", "TransactWriteItems"]
    replaced = api.put(path, json={"price": "22"}, token=admin.token)
    assert replaced.status == 200 and replaced.data["price"] == "22.00" and replaced.data["compare_at_price"] is None
    assert replaced.calls == ["BatchGetItem", "Query", "TransactWriteItems"]
    one = api.get(path, token=customer.token)
    assert one.status == 200 and one.data == replaced.data and one.headers["etag"] == replaced.headers["etag"]
    assert len(one.calls) <= 3
    assert api.get(path, token=customer.token, headers={"If-None-Match": one.headers["etag"]}).status == 304
    listed = api.get(f"/product-variants/{item.variant_id}/prices", token=customer.token)
    assert listed.status == 200 and listed.data == [replaced.data] and len(listed.calls) <= 3


def test_if_match_on_put_and_delete(api, admin):
    sid, item = _setup(api, admin)
    path = _price_path(item.variant_id, sid)
    assert api.put(path, json={"price": "5"}, token=admin.token, headers={"If-Match": '"nope"'}).status == 412
    first = api.put(path, json={"price": "5"}, token=admin.token)
    assert first.status == 201 and first.calls == ["BatchGetItem", "Query", "TransactWriteItems"]  # EUR store
    etag = first.headers["etag"]
    second = api.put(path, json={"price": "6"}, token=admin.token, headers={"If-Match": etag})
    assert second.status == 200 and second.data["price"] == "6.00"
    stale = api.put(path, json={"price": "7"}, token=admin.token, headers={"If-Match": etag})
    assert stale.status == 412
    assert api.delete(path, token=admin.token, headers={"If-Match": etag}).status == 412
    assert api.get(path, token=admin.token).data["price"] == "6.00"  # neither stale write landed
    gone = api.delete(path, token=admin.token, headers={"If-Match": second.headers["etag"]})
    assert gone.status == 200 and gone.data is None and len(gone.calls) <= 4
    assert api.get(path, token=admin.token).status == 404


def test_delete_goes_back_to_the_base_price(api, admin):
    sid, item = _setup(api, admin)
    path = _price_path(item.variant_id, sid)
    api.put(path, json={"price": "9.99"}, token=admin.token)
    assert _variant_in(api, admin.token, item.variant_id, sid)["price"] == "9.99"
    deleted = api.delete(path, token=admin.token)
    assert deleted.status == 200 and len(deleted.calls) <= 3
    assert _variant_in(api, admin.token, item.variant_id, sid)["price"] == "19.90"
    assert api.delete(path, token=admin.token).status == 404
    assert api.get(f"/product-variants/{item.variant_id}/prices", token=admin.token).data == []


def test_unknown_variant_and_missing_override(api, admin):
    sid, item = _setup(api, admin)
    assert api.get(_price_path(item.variant_id, sid), token=admin.token).status == 404
    assert api.get("/product-variants/NOPE/prices", token=admin.token).status == 404
    assert api.put(_price_path("NOPE", sid), json={"price": "1"}, token=admin.token).status == 404
    assert api.delete(_price_path("NOPE", sid), token=admin.token).status == 404


# --- validation --------------------------------------------------------------------------------------
def test_money_and_compare_at_are_validated(api, admin):
    sid, item = _setup(api, admin)
    path = _price_path(item.variant_id, sid)
    for body in ({"price": 10}, {"price": "-1"}, {"price": "1.999"}, {"price": "abc"}, {"price": ""}, {},
                 {"price": "1", "extra": 1}, {"price": "12345678901"}, {"price": "1", "compare_at_price": 2}):
        reply = api.put(path, json=body, token=admin.token)
        assert reply.status == 422, body
    below = api.put(path, json={"price": "10", "compare_at_price": "9.99"}, token=admin.token,
                    headers={"Accept-Language": "en"})
    assert below.status == 422
    assert below.errors == {"compare_at_price": ["The compare_at_price must be greater than or equal to the price."]}
    assert api.put(path, json={"price": "10", "compare_at_price": "10"}, token=admin.token).status == 201
    assert api.get(f"/product-variants/{item.variant_id}/prices", token=admin.token).data[0]["price"] == "10.00"


def test_the_product_must_be_attached_to_the_store(api, admin):
    sid, item = _setup(api, admin)
    other = create_store(api, admin.token)["id"]
    reply = api.put(_price_path(item.variant_id, other), json={"price": "1"}, token=admin.token)
    assert reply.status == 422 and list(reply.errors) == ["store_id"]
    unknown = api.put(_price_path(item.variant_id, "NOSTORE"), json={"price": "1"}, token=admin.token)
    assert unknown.status == 422 and list(unknown.errors) == ["store_id"]
    assert api.get(f"/product-variants/{item.variant_id}/prices", token=admin.token).data == []


# --- permissions -------------------------------------------------------------------------------------
def test_permissions_of_single_writes(api, admin, manager, staff, customer):
    sid, item = _setup(api, admin)
    path = _price_path(item.variant_id, sid)
    for account in (staff, customer):
        assert api.put(path, json={"price": "1"}, token=account.token).status == 403
        assert api.delete(path, token=account.token).status == 403
    assert api.put(path, json={"price": "1"}).status == 401
    assert api.get(path).status == 401
    assert api.put(path, json={"price": "1"}, token=manager.token).status == 403  # not a member yet
    add_members(api, admin.token, sid, manager.id, staff.id)
    assert api.put(path, json={"price": "1"}, token=staff.token).status == 403  # a member, but no permission
    assert api.put(path, json={"price": "2"}, token=manager.token).status == 201
    assert api.delete(path, token=manager.token).status == 200


def test_a_manager_cannot_price_another_store_with_a_variant_of_its_own(api, admin, manager):
    mine, item = _setup(api, admin)
    theirs = create_store(api, admin.token)["id"]
    attach(api, admin.token, item.product_id, theirs)
    add_members(api, admin.token, mine, manager.id)
    assert api.put(_price_path(item.variant_id, mine), json={"price": "1"}, token=manager.token).status == 201
    refused = api.put(_price_path(item.variant_id, theirs), json={"price": "1"}, token=manager.token)
    assert refused.status == 403
    api.put(_price_path(item.variant_id, theirs), json={"price": "3"}, token=admin.token)
    assert api.delete(_price_path(item.variant_id, theirs), token=manager.token).status == 403
    bulk = api.put(f"/stores/{theirs}/prices", json={"items": [{"variant_id": item.variant_id, "price": "1"}]},
                   token=manager.token)
    assert bulk.status == 403
    assert api.get(_price_path(item.variant_id, theirs), token=admin.token).data["price"] == "3.00"


def test_prices_update_is_in_the_permission_catalogue(api, admin):
    reply = api.get("/permissions", token=admin.token)
    assert reply.status == 200
    assert "prices.update" in str(reply.data)
    roles = {role["name"]: role for role in api.get("/roles", token=admin.token).data}
    assert "prices.update" in roles["admin"]["permissions"] and "prices.update" in roles["manager"]["permissions"]
    assert "prices.update" not in roles["staff"]["permissions"]
    assert "prices.update" not in roles["customer"]["permissions"]
