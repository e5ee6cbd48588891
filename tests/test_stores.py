"""Stores over HTTP: create/read/list/update, validation, slugs, visibility, the manager's store scope,
ETags, If-Match, lost updates, Idempotency-Key and call budgets."""
from __future__ import annotations

import threading

from tests.builders import add_members, create_store
from tests.conftest import make_account

ADDRESS = {"line1": "1 rue de la Paix", "city": "Paris", "postal_code": "75002", "country": "FR"}


def test_admin_creates_a_store_with_every_field(api, admin):
    body = {"name": "Paris Opéra", "description": "Flagship", "email": "Opera@Example.com", "phone": "+33 1 23 45 67 89",
            "currency": "USD", "address": {**ADDRESS, "line2": "2e étage", "region": "IDF"}, "is_active": False}
    reply = api.post("/stores", json=body, token=admin.token)
    assert reply.status == 201
    assert reply.json["success"] is True and reply.json["message"] == "Magasin créé avec succès"
    data = reply.data
    assert data["id"] and data["slug"] == "paris-opera"
    assert data["email"] == "opera@example.com" and data["currency"] == "USD" and data["is_active"] is False
    assert data["address"] == {**ADDRESS, "line2": "2e étage", "region": "IDF"}
    assert data["created_at"].endswith("Z") and data["updated_at"].endswith("Z")
    assert reply.headers["etag"]
    assert len(reply.calls) <= 3


def test_defaults_currency_eur_active_and_no_address(api, admin):
    data = create_store(api, admin.token, name="Lyon")
    assert data["currency"] == "EUR" and data["is_active"] is True and data["address"] is None
    assert data["description"] is None and data["email"] is None and data["phone"] is None


def test_generated_slugs_are_unique(api, admin):
    slugs = [create_store(api, admin.token, name="Bordeaux Centre")["slug"] for _ in range(3)]
    assert slugs == ["bordeaux-centre", "bordeaux-centre-1", "bordeaux-centre-2"]


def test_an_explicit_slug_already_taken_is_422(api, admin):
    create_store(api, admin.token, name="Nice", slug="nice")
    reply = api.post("/stores", json={"name": "Nice 2", "slug": "nice"}, token=admin.token,
                     headers={"Accept-Language": "en"})
    assert reply.status == 422
    assert reply.errors["slug"] == ["This slug is already used by another store."]


def test_generated_slug_skips_one_taken_explicitly(api, admin):
    create_store(api, admin.token, name="Other", slug="lille")
    assert create_store(api, admin.token, name="Lille")["slug"] == "lille-1"


def test_validation_errors_are_per_field(api, admin):
    reply = api.post("/stores", json={"currency": "eur", "email": "nope", "slug": "Bad Slug", "phone": "abc",
                                      "address": {"line1": "x", "city": "y", "postal_code": "1", "country": "France"},
                                      "is_active": "yes", "id": "mine"}, token=admin.token)
    assert reply.status == 422
    assert reply.json["error"] == "Validation échouée"
    for field in ("name", "currency", "email", "slug", "phone", "address.country", "is_active", "id"):
        assert field in reply.errors, field
    assert "ISO 4217" in reply.errors["currency"][0]


def test_address_requires_its_fields_and_refuses_unknown_ones(api, admin):
    reply = api.post("/stores", json={"name": "X", "address": {"line1": "a", "zip": "1"}}, token=admin.token)
    assert reply.status == 422
    assert {"address.city", "address.postal_code", "address.country", "address.zip"} <= set(reply.errors)


def test_get_one_store_with_etag_and_304(api, admin, customer):
    store = create_store(api, admin.token, name="Rennes")
    reply = api.get(f"/stores/{store['id']}", token=customer.token)
    assert reply.status == 200 and reply.data == store
    assert len(reply.calls) <= 2
    again = api.get(f"/stores/{store['id']}", token=customer.token, headers={"If-None-Match": reply.headers["etag"]})
    assert again.status == 304 and again.body == b""


def test_unknown_store_is_404(api, admin):
    reply = api.get("/stores/01NOPE", token=admin.token)
    assert reply.status == 404 and reply.json["success"] is False


def test_customers_do_not_see_inactive_stores(api, admin, customer, staff):
    hidden = create_store(api, admin.token, name="Hidden", is_active=False)
    shown = create_store(api, admin.token, name="Shown")
    assert api.get(f"/stores/{hidden['id']}", token=customer.token).status == 404
    assert api.get(f"/stores/{hidden['id']}", token=staff.token).status == 200
    ids = [s["id"] for s in api.get("/stores", token=customer.token).data]
    assert ids == [shown["id"]]
    assert api.get("/stores?is_active=false", token=customer.token).data == []


def test_list_newest_first_with_cursor_and_totals_from_counters(api, admin):
    made = [create_store(api, admin.token, name=f"S{n}", is_active=n % 2 == 0)["id"] for n in range(5)]
    first = api.get("/stores?per_page=2", token=admin.token)
    assert first.status == 200 and len(first.calls) <= 3
    assert [s["id"] for s in first.data] == made[::-1][:2]
    assert first.json["meta"] == {"per_page": 2, "current_page": 1, "last_page": 3, "total": 5,
                                  "next_cursor": first.json["meta"]["next_cursor"]}
    second = api.get(f"/stores?per_page=2&cursor={first.json['meta']['next_cursor']}", token=admin.token)
    assert [s["id"] for s in second.data] == made[::-1][2:4] and second.json["meta"]["current_page"] == 2
    active = api.get("/stores?is_active=true", token=admin.token)
    assert [s["id"] for s in active.data] == [made[4], made[2], made[0]] and active.json["meta"]["total"] == 3
    inactive = api.get("/stores?is_active=false", token=admin.token)
    assert [s["id"] for s in inactive.data] == [made[3], made[1]] and inactive.json["meta"]["total"] == 2
    assert "Scan" not in first.calls + active.calls


def test_a_cursor_from_another_filter_is_422(api, admin):
    for n in range(3):
        create_store(api, admin.token, name=f"C{n}")
    cursor = api.get("/stores?per_page=1", token=admin.token).json["meta"]["next_cursor"]
    assert api.get(f"/stores?per_page=1&is_active=true&cursor={cursor}", token=admin.token).status == 422


def test_patch_changes_given_fields_and_moves_state_totals(api, admin):
    store = create_store(api, admin.token, name="Tours", description="old", address=ADDRESS)
    reply = api.patch(f"/stores/{store['id']}", json={"is_active": False, "description": None}, token=admin.token)
    assert reply.status == 200 and len(reply.calls) <= 3
    assert reply.data["is_active"] is False and reply.data["description"] is None
    assert reply.data["name"] == "Tours" and reply.data["address"] == {**ADDRESS, "line2": None, "region": None}
    assert api.get("/stores?is_active=false", token=admin.token).json["meta"]["total"] == 1
    assert api.get("/stores?is_active=true", token=admin.token).json["meta"]["total"] == 0
    assert [s["id"] for s in api.get("/stores?is_active=false", token=admin.token).data] == [store["id"]]


def test_patch_refuses_null_for_required_fields(api, admin):
    store = create_store(api, admin.token)
    reply = api.patch(f"/stores/{store['id']}", json={"name": None, "currency": None}, token=admin.token)
    assert reply.status == 422 and {"name", "currency"} <= set(reply.errors)


def test_slug_change_frees_the_old_one(api, admin):
    store = create_store(api, admin.token, name="Metz")
    reply = api.patch(f"/stores/{store['id']}", json={"slug": "metz-gare"}, token=admin.token)
    assert reply.status == 200 and reply.data["slug"] == "metz-gare"
    assert create_store(api, admin.token, name="x", slug="metz")["slug"] == "metz"
    taken = api.patch(f"/stores/{store['id']}", json={"slug": "metz"}, token=admin.token)
    assert taken.status == 422 and "slug" in taken.errors


def test_put_replaces_and_keeps_slug_when_absent(api, admin):
    store = create_store(api, admin.token, name="Caen", description="d", phone="0102030405", currency="GBP")
    reply = api.put(f"/stores/{store['id']}", json={"name": "Caen Port"}, token=admin.token)
    assert reply.status == 200 and len(reply.calls) <= 3
    data = reply.data
    assert data["name"] == "Caen Port" and data["slug"] == "caen"
    assert data["description"] is None and data["phone"] is None and data["currency"] == "EUR"
    assert api.put(f"/stores/{store['id']}", json={"description": "no name"}, token=admin.token).status == 422


def test_stale_if_match_is_412_and_current_one_passes(api, admin):
    store = create_store(api, admin.token, name="Dijon")
    etag = api.get(f"/stores/{store['id']}", token=admin.token).headers["etag"]
    assert api.patch(f"/stores/{store['id']}", json={"name": "Dijon 1"}, token=admin.token,
                     headers={"If-Match": etag}).status == 200
    stale = api.patch(f"/stores/{store['id']}", json={"name": "Dijon 2"}, token=admin.token, headers={"If-Match": etag})
    assert stale.status == 412 and stale.json["success"] is False
    assert api.put(f"/stores/{store['id']}", json={"name": "D"}, token=admin.token, headers={"If-Match": etag}).status == 412
    assert api.delete(f"/stores/{store['id']}", token=admin.token, headers={"If-Match": etag}).status == 412
    assert api.get(f"/stores/{store['id']}", token=admin.token).data["name"] == "Dijon 1"
    fresh = api.get(f"/stores/{store['id']}", token=admin.token).headers["etag"]
    assert api.delete(f"/stores/{store['id']}", token=admin.token, headers={"If-Match": fresh}).status == 200


def test_concurrent_updates_never_lose_one_silently(api, admin):
    store = create_store(api, admin.token, name="Race")
    results: list[int] = []

    def patch(n: int) -> None:
        results.append(api.patch(f"/stores/{store['id']}", json={"description": f"d{n}"}, token=admin.token).status)

    threads = [threading.Thread(target=patch, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(results) <= {200, 503} and 200 in results
    final = api.get(f"/stores/{store['id']}", token=admin.token).data
    assert final["description"] in {f"d{n}" for n in range(8)}
    # Each 200 replaced exactly the version it read: the version moved once per success, none overwritten.
    from chalicelib.core import keys
    from chalicelib.stores.models import StoreItem

    assert StoreItem.get(*keys.store_key(store["id"])).version == 1 + results.count(200)


def test_two_writers_holding_the_same_etag_one_wins_one_gets_412(api, admin):
    store = create_store(api, admin.token, name="Same")
    etag = api.get(f"/stores/{store['id']}", token=admin.token).headers["etag"]
    first = api.patch(f"/stores/{store['id']}", json={"phone": "0101010101"}, token=admin.token, headers={"If-Match": etag})
    second = api.patch(f"/stores/{store['id']}", json={"email": "a@b.co"}, token=admin.token, headers={"If-Match": etag})
    assert (first.status, second.status) == (200, 412)
    assert first.headers["etag"] == api.get(f"/stores/{store['id']}", token=admin.token).headers["etag"]


def test_idempotent_create_replays_and_creates_one_store(api, admin):
    headers = {"Idempotency-Key": "store-key-1"}
    first = api.post("/stores", json={"name": "Once"}, token=admin.token, headers=headers)
    again = api.post("/stores", json={"name": "Once"}, token=admin.token, headers=headers)
    assert first.status == again.status == 201
    assert again.data == first.data and again.headers.get("idempotent-replayed") == "true"
    assert api.get("/stores", token=admin.token).json["meta"]["total"] == 1
    other = api.post("/stores", json={"name": "Twice"}, token=admin.token, headers=headers)
    assert other.status == 422


def test_permissions(api, admin, manager, staff, customer):
    store = create_store(api, admin.token)
    for account in (manager, staff, customer):
        assert api.post("/stores", json={"name": "x"}, token=account.token).status == 403
        assert api.delete(f"/stores/{store['id']}", token=account.token).status == 403
    for account in (staff, customer):
        assert api.patch(f"/stores/{store['id']}", json={"name": "x"}, token=account.token).status == 403
    assert api.get("/stores").status == 401


def test_manager_updates_only_stores_they_belong_to(api, admin, manager):
    mine = create_store(api, admin.token, name="Mine")
    other = create_store(api, admin.token, name="Other")
    add_members(api, admin.token, mine["id"], manager.id)
    reply = api.patch(f"/stores/{mine['id']}", json={"name": "Mine!"}, token=manager.token)
    assert reply.status == 200 and reply.data["name"] == "Mine!" and len(reply.calls) <= 3
    refused = api.patch(f"/stores/{other['id']}", json={"name": "No"}, token=manager.token)
    assert refused.status == 403
    assert api.get(f"/stores/{other['id']}", token=admin.token).data["name"] == "Other"


def test_english_messages(api, admin):
    reply = api.post("/stores", json={"name": "En"}, token=admin.token, headers={"Accept-Language": "en"})
    assert reply.json["message"] == "Store created successfully"
    missing = api.get("/stores/none", token=admin.token, headers={"Accept-Language": "en"})
    assert missing.json["error"] == "Store not found"


def test_custom_role_with_store_rights_is_scoped_to_its_stores(api, admin):
    role = api.post("/roles", json={"name": "store-keeper", "permissions": ["stores.view", "stores.update",
                                                                            "stores.delete"]}, token=admin.token)
    assert role.status == 201, role.json
    keeper = make_account(["store-keeper"], name="Keeper")
    mine, other = create_store(api, admin.token, name="Kept"), create_store(api, admin.token, name="Not kept")
    add_members(api, admin.token, mine["id"], keeper.id)
    assert api.patch(f"/stores/{other['id']}", json={"name": "x"}, token=keeper.token).status == 403
    assert api.delete(f"/stores/{other['id']}", token=keeper.token).status == 403
    assert api.patch(f"/stores/{mine['id']}", json={"name": "Kept!"}, token=keeper.token).status == 200
    assert api.delete(f"/stores/{mine['id']}", token=keeper.token).status == 200
