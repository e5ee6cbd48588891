"""Store prices over HTTP (docs/api.md §6, store prices): overrides per variant and store, the bulk write, the
effective price rule in store-context reads, the currency lock, the cascades, permissions, If-Match, budgets."""
from __future__ import annotations

import pytest

from tests.builders import add_members, attach, create_store, make_product


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
    # The store (its currency), the variant's pointer and the caller's membership ride in the authentication's
    # BatchGetItem; then the override (consistent) and one transaction, even in a store not in the base currency.
    assert created.calls == ["BatchGetItem", "GetItem", "TransactWriteItems"]
    replaced = api.put(path, json={"price": "22"}, token=admin.token)
    assert replaced.status == 200 and replaced.data["price"] == "22.00" and replaced.data["compare_at_price"] is None
    assert replaced.calls == ["BatchGetItem", "GetItem", "TransactWriteItems"]
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
    assert first.status == 201 and first.calls == ["BatchGetItem", "GetItem", "TransactWriteItems"]
    etag = first.headers["etag"]
    second = api.put(path, json={"price": "6"}, token=admin.token, headers={"If-Match": etag})
    assert second.status == 200 and second.data["price"] == "6.00"
    assert second.calls == ["BatchGetItem", "GetItem", "TransactWriteItems"]  # If-Match costs no extra call
    stale = api.put(path, json={"price": "7"}, token=admin.token, headers={"If-Match": etag})
    assert stale.status == 412
    assert api.delete(path, token=admin.token, headers={"If-Match": etag}).status == 412
    assert api.get(path, token=admin.token).data["price"] == "6.00"  # neither stale write landed
    gone = api.delete(path, token=admin.token, headers={"If-Match": second.headers["etag"]})
    assert gone.status == 200 and gone.data is None
    assert gone.calls == ["BatchGetItem", "GetItem", "TransactWriteItems"]
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


def test_the_membership_read_with_the_token_is_never_the_last_word(api, admin, manager, monkeypatch):
    """The store, the variant and the membership are read in the authentication's BatchGetItem; a membership
    removed after that read still fails the write's transaction, and one removed before refuses at once."""
    from chalicelib.catalog.prices import services
    from chalicelib.core import keys
    from chalicelib.core.table import Entity

    sid, item = _setup(api, admin, currency="GBP")
    path = _price_path(item.variant_id, sid)
    add_members(api, admin.token, sid, manager.id)
    assert api.put(path, json={"price": "2"}, token=manager.token).status == 201
    read_override = services.current_override

    def removed_meanwhile(variant, store_id):  # between the authentication's read and the transaction
        Entity(*keys.store_member_key(sid, manager.id)).delete()
        return read_override(variant, store_id)

    monkeypatch.setattr(services, "current_override", removed_meanwhile)
    assert api.put(path, json={"price": "5"}, token=manager.token).status == 403
    monkeypatch.setattr(services, "current_override", read_override)
    assert api.get(path, token=admin.token).data["price"] == "2.00"
    add_members(api, admin.token, sid, manager.id)
    assert api.delete(f"/stores/{sid}/users/{manager.id}", token=admin.token).status == 200
    for attempt in (api.put(path, json={"price": "3"}, token=manager.token), api.delete(path, token=manager.token)):
        assert attempt.status == 403
    assert api.get(path, token=admin.token).data["price"] == "2.00"
    assert api.put(_price_path("NOVARIANT", sid), json={"price": "1"}, token=manager.token).status == 403
    assert api.put(_price_path("NOVARIANT", sid), json={"price": "1"}, token=admin.token).status == 404


def test_a_route_reading_with_the_token_cannot_be_public():
    from chalice import Blueprint

    from chalicelib.core.http import route

    with pytest.raises(TypeError):
        route(Blueprint("x"), "GET", "/x", summary="x", public=True, reads=lambda params, user_id: [])


def test_prices_update_is_in_the_permission_catalogue(api, admin):
    reply = api.get("/permissions", token=admin.token)
    assert reply.status == 200
    assert "prices.update" in str(reply.data)
    roles = {role["name"]: role for role in api.get("/roles", token=admin.token).data}
    assert "prices.update" in roles["admin"]["permissions"] and "prices.update" in roles["manager"]["permissions"]
    assert "prices.update" not in roles["staff"]["permissions"]
    assert "prices.update" not in roles["customer"]["permissions"]


# --- the effective price rule and store-context reads ----------------------------------------------
def test_effective_prices_in_a_eur_and_a_usd_store(api, admin, customer):
    eur = create_store(api, admin.token, currency="EUR")["id"]
    usd = create_store(api, admin.token, currency="USD")["id"]
    unlinked = create_store(api, admin.token, currency="EUR")["id"]
    item = make_product(api, admin.token, variants=2)
    attach(api, admin.token, item.product_id, eur, usd)
    first, second = item.variant_ids
    api.put(_price_path(first, eur), json={"price": "15", "compare_at_price": "18"}, token=admin.token)
    api.put(_price_path(first, usd), json={"price": "21"}, token=admin.token)
    expected = {  # (store, variant) → (price, compare_at_price, currency)
        (eur, first): ("15.00", "18.00", "EUR"), (eur, second): ("19.90", None, "EUR"),  # override / base
        (usd, first): ("21.00", None, "USD"), (usd, second): (None, None, "USD"),  # override / not sold there
        (unlinked, first): (None, None, "EUR"), (unlinked, second): (None, None, "EUR"),  # not carried
    }
    for (sid, vid), (price, compare_at, currency) in expected.items():
        variant = _variant_in(api, customer.token, vid, sid)
        assert (variant["price"], variant["compare_at_price"], variant["currency"]) == (price, compare_at, currency)
        assert variant["prices"] is None  # the overrides list is the base read's
        product = api.get(f"/products/{item.product_id}?store_id={sid}", token=customer.token)
        assert product.status == 200 and len(product.calls) <= 3
        shown = {v["id"]: (v["price"], v["compare_at_price"], v["currency"]) for v in product.data["variants"]}
        assert shown[vid] == (price, compare_at, currency)
    for sid in (eur, usd):
        listed = api.get(f"/stores/{sid}/products?include=variants", token=customer.token)
        assert listed.status == 200, listed.json
        [row] = listed.data
        assert {v["id"]: (v["price"], v["compare_at_price"], v["currency"]) for v in row["variants"]} == {
            vid: value for (s, vid), value in expected.items() if s == sid}
    base = api.get(f"/product-variants/{first}", token=customer.token)
    assert base.data["price"] == "19.90" and base.data["currency"] == "EUR"
    assert [(p["store_id"], p["currency"], p["price"]) for p in base.data["prices"]] == sorted(
        [(eur, "EUR", "15.00"), (usd, "USD", "21.00")])
    plain = api.get(f"/products/{item.product_id}", token=customer.token)
    assert {v["currency"] for v in plain.data["variants"]} == {"EUR"}
    assert {v["price"] for v in plain.data["variants"]} == {"19.90"}


def test_store_context_read_of_an_unknown_or_hidden_store_is_422(api, admin, customer):
    sid, item = _setup(api, admin)
    hidden = create_store(api, admin.token, is_active=False)["id"]
    attach(api, admin.token, item.product_id, hidden)
    for path in (f"/products/{item.product_id}?store_id=NOPE", f"/product-variants/{item.variant_id}?store_id=NOPE"):
        reply = api.get(path, token=admin.token)
        assert reply.status == 422 and list(reply.errors) == ["store_id"]
    assert api.get(f"/products/{item.product_id}?store_id={hidden}", token=customer.token).status == 422
    assert api.get(f"/products/{item.product_id}?store_id={hidden}", token=admin.token).status == 200
    assert api.get(f"/stores/{sid}/products?include=stores", token=admin.token).status == 422
    reply = api.get(f"/stores/{sid}/products?include=variants&per_page=99", token=admin.token)
    assert reply.status == 422 and list(reply.errors) == ["per_page"]  # 98 products + store + total: one batch
    assert api.get(f"/stores/{sid}/products?include=variants&per_page=98", token=admin.token).status == 200


def test_a_store_context_product_read_stays_within_three_calls(api, admin, customer):
    stores = [create_store(api, admin.token, currency=("EUR", "USD", "GBP")[n % 3])["id"] for n in range(6)]
    item = make_product(api, admin.token, variants=5)
    attach(api, admin.token, item.product_id, *stores)
    rows = [{"variant_id": vid, "price": f"{n + 1}.50"} for n, vid in enumerate(item.variant_ids)]
    for sid in stores:
        assert api.put(f"/stores/{sid}/prices", json={"items": rows}, token=admin.token).status == 200
    for account in (admin, customer):
        for sid in stores:
            reply = api.get(f"/products/{item.product_id}?store_id={sid}", token=account.token)
            assert reply.status == 200 and len(reply.calls) <= 3, reply.calls
            assert sorted(v["price"] for v in reply.data["variants"]) == [f"{n}.50" for n in range(1, 6)]
        variant = api.get(f"/product-variants/{item.variant_id}?store_id={stores[1]}", token=account.token)
        assert variant.status == 200 and len(variant.calls) <= 3 and variant.data["currency"] == "USD"
        listed = api.get(f"/product-variants/{item.variant_id}/prices", token=account.token)
        assert len(listed.data) == 6 and len(listed.calls) <= 3
        base = api.get(f"/product-variants/{item.variant_id}", token=account.token)
        assert len(base.data["prices"]) == 6 and len(base.calls) <= 3


# --- the bulk write ----------------------------------------------------------------------------------
def test_bulk_write_creates_and_replaces_rows(api, admin):
    sid, item = _setup(api, admin, variants=3)
    other = make_product(api, admin.token)
    attach(api, admin.token, other.product_id, sid)
    api.put(_price_path(item.variant_ids[0], sid), json={"price": "1"}, token=admin.token)
    rows = [{"variant_id": vid, "price": "7.5", "compare_at_price": "9"} for vid in item.variant_ids]
    rows.append({"variant_id": other.variant_id, "price": "3"})
    reply = api.put(f"/stores/{sid}/prices", json={"items": rows}, token=admin.token)
    assert reply.status == 200, reply.json
    assert reply.data["store_id"] == sid and reply.data["currency"] == "EUR"
    assert [(r["variant_id"], r["product_id"], r["price"]) for r in reply.data["items"]] == [
        (vid, item.product_id, "7.50") for vid in item.variant_ids] + [(other.variant_id, other.product_id, "3.00")]
    # auth; store, membership and the variants' pointers; links and current overrides; one transaction
    assert reply.calls == ["BatchGetItem", "BatchGetItem", "BatchGetItem", "TransactWriteItems"]
    for vid in item.variant_ids:
        assert _variant_in(api, admin.token, vid, sid)["price"] == "7.50"


def test_bulk_write_finds_a_variant_created_before_pointers_by_its_lookup(api, admin):
    from chalicelib.catalog.products.models import VariantPointerItem
    from chalicelib.core import keys

    sid, item = _setup(api, admin, variants=2)
    VariantPointerItem.get(*keys.variant_pointer_key(item.variant_ids[1])).delete()  # as an older variant
    rows = [{"variant_id": vid, "price": "2"} for vid in item.variant_ids]
    reply = api.put(f"/stores/{sid}/prices", json={"items": rows}, token=admin.token)
    assert reply.status == 200 and reply.calls.count("Query") == 1  # the gsi5 lookup of the one without
    assert [_variant_in(api, admin.token, vid, sid)["price"] for vid in item.variant_ids] == ["2.00", "2.00"]


def test_bulk_row_errors_are_reported_per_row_and_nothing_is_written(api, admin):
    sid, item = _setup(api, admin, variants=3)
    stranger = make_product(api, admin.token)  # not attached to the store
    good = {"variant_id": item.variant_ids[0], "price": "5"}
    body = {"items": [good,
                      {"variant_id": item.variant_ids[1], "price": "5", "compare_at_price": "4"},
                      {"variant_id": item.variant_ids[0], "price": "6"},
                      {"variant_id": stranger.variant_id, "price": "5"},
                      {"variant_id": "NOPE", "price": "5"},
                      {"variant_id": item.variant_ids[2], "price": "5"}]}
    reply = api.put(f"/stores/{sid}/prices", json=body, token=admin.token)
    assert reply.status == 422
    assert set(reply.errors) == {"items.1.compare_at_price", "items.2.variant_id", "items.3.variant_id",
                                 "items.4.variant_id"}
    for vid in item.variant_ids:
        assert _variant_in(api, admin.token, vid, sid)["price"] == "19.90"
    assert api.get(f"/product-variants/{item.variant_ids[0]}/prices", token=admin.token).data == []
    malformed = api.put(f"/stores/{sid}/prices", json={"items": [good, {"variant_id": item.variant_ids[1],
                                                                         "price": 5}]}, token=admin.token)
    assert malformed.status == 422 and list(malformed.errors) == ["items.1.price"]
    for body in ({"items": []}, {}, {"items": [good] * 101}, {"items": [dict(good, extra=1)]}):
        assert api.put(f"/stores/{sid}/prices", json=body, token=admin.token).status == 422
    assert api.get(f"/product-variants/{item.variant_ids[0]}/prices", token=admin.token).data == []


def test_bulk_permissions_and_unknown_store(api, admin, manager, staff, customer):
    sid, item = _setup(api, admin)
    body = {"items": [{"variant_id": item.variant_id, "price": "2"}]}
    add_members(api, admin.token, sid, staff.id)
    for account in (staff, customer, manager):
        assert api.put(f"/stores/{sid}/prices", json=body, token=account.token).status == 403
    assert api.put(f"/stores/{sid}/prices", json=body).status == 401
    assert api.put("/stores/NOPE/prices", json=body, token=admin.token).status == 404
    add_members(api, admin.token, sid, manager.id)
    assert api.put(f"/stores/{sid}/prices", json=body, token=manager.token).status == 200


# --- the currency lock, the cascades -------------------------------------------------------------------
def test_currency_cannot_change_while_the_store_has_overrides(api, admin):
    sid, item = _setup(api, admin, currency="USD")
    path = _price_path(item.variant_id, sid)
    assert api.put(path, json={"price": "3"}, token=admin.token).status == 201
    store = api.get(f"/stores/{sid}", token=admin.token).data
    refused = api.patch(f"/stores/{sid}", json={"currency": "GBP"}, token=admin.token)
    assert refused.status == 409
    assert api.put(f"/stores/{sid}", json={"name": store["name"]}, token=admin.token).status == 409  # back to EUR
    assert api.patch(f"/stores/{sid}", json={"name": "Renamed"}, token=admin.token).status == 200  # other fields: fine
    assert api.get(f"/stores/{sid}", token=admin.token).data["currency"] == "USD"
    assert api.delete(path, token=admin.token).status == 200
    changed = api.patch(f"/stores/{sid}", json={"currency": "GBP"}, token=admin.token)
    assert changed.status == 200 and changed.data["currency"] == "GBP"
    again = api.put(path, json={"price": "4"}, token=admin.token)
    assert again.status == 201 and again.data["currency"] == "GBP"


def test_detaching_a_product_removes_its_prices_in_that_store(api, admin):
    sid, item = _setup(api, admin, currency="USD", variants=2)
    kept = create_store(api, admin.token, currency="USD")["id"]
    attach(api, admin.token, item.product_id, kept)
    for vid in item.variant_ids:
        for store in (sid, kept):
            api.put(_price_path(vid, store), json={"price": "8"}, token=admin.token)
    api.put(f"/product-variants/{item.variant_id}/stock/{sid}", json={"quantity": 2}, token=admin.token)
    detached = api.delete(f"/products/{item.product_id}/stores/{sid}", token=admin.token)
    assert detached.status == 200 and len(detached.calls) <= 3
    for vid in item.variant_ids:
        assert [p["store_id"] for p in api.get(f"/product-variants/{vid}/prices", token=admin.token).data] == [kept]
    assert api.patch(f"/stores/{sid}", json={"currency": "EUR"}, token=admin.token).status == 200  # none left
    assert api.patch(f"/stores/{kept}", json={"currency": "EUR"}, token=admin.token).status == 409
    attach(api, admin.token, item.product_id, sid)  # attached again: base prices, nothing came back
    assert _variant_in(api, admin.token, item.variant_id, sid)["price"] == "19.90"


def test_deleting_a_variant_removes_its_prices(api, admin):
    sid, item = _setup(api, admin, currency="USD", variants=2)
    doomed, kept = item.variant_ids
    api.put(_price_path(doomed, sid), json={"price": "8"}, token=admin.token)
    api.put(_price_path(kept, sid), json={"price": "9"}, token=admin.token)
    assert api.delete(f"/product-variants/{doomed}", token=admin.token).status == 200
    assert api.get(f"/product-variants/{doomed}/prices", token=admin.token).status == 404
    assert api.put(_price_path(doomed, sid), json={"price": "1"}, token=admin.token).status == 404
    assert api.patch(f"/stores/{sid}", json={"currency": "EUR"}, token=admin.token).status == 409  # kept's override
    api.delete(_price_path(kept, sid), token=admin.token)
    assert api.patch(f"/stores/{sid}", json={"currency": "EUR"}, token=admin.token).status == 200  # counted right


def test_a_soft_deleted_product_keeps_its_prices_until_restored(api, admin, customer):
    sid, item = _setup(api, admin)
    api.put(_price_path(item.variant_id, sid), json={"price": "4"}, token=admin.token)
    assert api.delete(f"/products/{item.product_id}", token=admin.token).status == 200
    assert api.get(f"/product-variants/{item.variant_id}/prices", token=customer.token).status == 404
    assert api.get(f"/stores/{sid}/products?include=variants", token=customer.token).data == []
    assert api.post(f"/products/{item.product_id}/restore", token=admin.token).status == 200
    assert _variant_in(api, customer.token, item.variant_id, sid)["price"] == "4.00"


def test_deleting_a_store_with_prices(api, admin):
    sid, item = _setup(api, admin, currency="USD")
    api.put(_price_path(item.variant_id, sid), json={"price": "4"}, token=admin.token)
    assert api.delete(f"/stores/{sid}", token=admin.token).status == 200
    assert api.get(f"/product-variants/{item.variant_id}/prices", token=admin.token).data == []


# --- the base currency setting -------------------------------------------------------------------------
def test_base_currency_is_a_validated_setting(api, admin, monkeypatch):
    from chalicelib.core.settings import ConfigurationError, get_settings

    sid, item = _setup(api, admin, currency="USD")
    try:
        for bad in ("eur", "EURO", "E1R", ""):
            monkeypatch.setenv("BASE_CURRENCY", bad)
            get_settings.cache_clear()
            with pytest.raises(ConfigurationError):
                get_settings()
        monkeypatch.setenv("BASE_CURRENCY", "USD")
        get_settings.cache_clear()
        # the base prices are now in USD: the USD store sells at them, base reads say USD
        assert _variant_in(api, admin.token, item.variant_id, sid)["price"] == "19.90"
        assert api.get(f"/product-variants/{item.variant_id}", token=admin.token).data["currency"] == "USD"
    finally:
        monkeypatch.delenv("BASE_CURRENCY")
        get_settings.cache_clear()
    assert get_settings().base_currency == "EUR"
    assert _variant_in(api, admin.token, item.variant_id, sid)["price"] is None  # USD store, no override


def test_customers_do_not_see_prices_of_hidden_stores_or_variants(api, admin, customer):
    sid, item = _setup(api, admin, variants=2)
    closed = create_store(api, admin.token, is_active=False)["id"]
    attach(api, admin.token, item.product_id, closed)
    shown, hidden_variant = item.variant_ids
    for vid in item.variant_ids:
        for store in (sid, closed):
            assert api.put(_price_path(vid, store), json={"price": "3"}, token=admin.token).status == 201
    assert api.patch(f"/product-variants/{hidden_variant}", json={"is_active": False}, token=admin.token).status == 200
    listed = api.get(f"/product-variants/{shown}/prices", token=customer.token)
    assert [p["store_id"] for p in listed.data] == [sid]
    assert api.get(_price_path(shown, closed), token=customer.token).status == 404
    assert [p["store_id"] for p in api.get(f"/product-variants/{shown}", token=customer.token).data["prices"]] == [sid]
    assert api.get(f"/product-variants/{hidden_variant}/prices", token=customer.token).status == 404
    assert api.get(_price_path(hidden_variant, sid), token=customer.token).status == 404
    assert len(api.get(f"/product-variants/{shown}/prices", token=admin.token).data) == 2
    slug = api.get(f"/products/{item.product_id}", token=admin.token).data["slug"]
    by_slug = api.get(f"/products/by-slug/{slug}?store_id={sid}", token=customer.token)
    assert by_slug.status == 200 and [v["price"] for v in by_slug.data["variants"]] == ["3.00"]


def test_a_store_being_deleted_takes_no_prices(api, admin):
    """A deletion that stopped half-way leaves the store marked (`deleting_at`): no new override there."""
    from chalicelib.core import keys
    from chalicelib.core.table import Entity, now_iso

    sid, item = _setup(api, admin)
    Entity._get_connection().update_item(*keys.store_key(sid), actions=[Entity.deleting_at.set(now_iso())])
    single = api.put(_price_path(item.variant_id, sid), json={"price": "1"}, token=admin.token)
    assert single.status == 422 and list(single.errors) == ["store_id"]
    bulk = api.put(f"/stores/{sid}/prices", json={"items": [{"variant_id": item.variant_id, "price": "1"}]},
                   token=admin.token)
    assert bulk.status == 404
    assert api.get(f"/product-variants/{item.variant_id}/prices", token=admin.token).data == []
