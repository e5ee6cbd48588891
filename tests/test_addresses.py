"""Addresses through HTTP: owner-only access, admin reads, validation, one default per user."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import make_account


def address(**extra) -> dict:
    return {"label": "Maison", "first_name": "Jeanne", "last_name": "Martin", "line1": "12 rue de la Paix",
            "city": "Paris", "postal_code": "75002", "country": "fr", "phone": "+33 1 23 45 67 89", **extra}


def add(api, account, **extra):
    reply = api.post("/addresses", address(**extra), token=account.token)
    assert reply.status == 201, reply.json
    return reply.data


def defaults(api, account) -> list[str]:
    return [a["id"] for a in api.get("/addresses?per_page=100", token=account.token).data if a["is_default"]]


def test_create_and_read_an_address(api, customer):
    reply = api.post("/addresses", address(line2="Bât. B"), token=customer.token)
    assert reply.status == 201
    assert reply.json["message"] == "Adresse créée avec succès"
    data = reply.data
    assert data["country"] == "FR" and data["user_id"] == customer.id and data["is_default"] is False
    assert data["line2"] == "Bât. B" and data["created_at"].endswith("Z")
    assert len(reply.calls) <= 3
    one = api.get(f"/addresses/{data['id']}", token=customer.token)
    assert one.status == 200 and one.data == data
    assert len(one.calls) <= 2
    assert api.get(f"/addresses/{data['id']}", token=customer.token,
                   headers={"If-None-Match": one.headers["etag"]}).status == 304


def test_list_is_the_callers_own_with_totals(api, customer, staff):
    mine = [add(api, customer, label=f"A{n}") for n in range(3)]
    add(api, staff)
    page = api.get("/addresses?per_page=2", token=customer.token)
    assert page.status == 200
    assert [a["id"] for a in page.data] == [mine[0]["id"], mine[1]["id"]]
    assert page.json["meta"]["total"] == 3 and page.json["meta"]["last_page"] == 2
    assert len(page.calls) <= 3
    rest = api.get(f"/addresses?per_page=2&cursor={page.json['meta']['next_cursor']}", token=customer.token)
    assert [a["id"] for a in rest.data] == [mine[2]["id"]]
    assert len(rest.calls) <= 3
    assert api.get("/addresses", token=staff.token).json["meta"]["total"] == 1


def test_another_users_address_is_404_whatever_the_method(api, customer, staff):
    theirs = add(api, staff)
    path = f"/addresses/{theirs['id']}"
    assert api.get(path, token=customer.token).status == 404
    assert api.patch(path, {"city": "Lyon"}, token=customer.token).status == 404
    assert api.put(path, address(), token=customer.token).status == 404
    reply = api.delete(path, token=customer.token, headers={"Accept-Language": "en"})
    assert reply.status == 404 and reply.json == {"success": False, "error": "Resource not found"}
    assert api.get(path, token=staff.token).data["city"] == "Paris"


def test_admin_lists_and_reads_anyones_addresses_others_may_not(api, admin, customer, manager):
    theirs = add(api, customer)
    listed = api.get(f"/addresses?user_id={customer.id}", token=admin.token)
    assert listed.status == 200 and [a["id"] for a in listed.data] == [theirs["id"]]
    assert len(listed.calls) <= 3
    one = api.get(f"/addresses/{theirs['id']}", token=admin.token)
    assert one.status == 200 and one.data == theirs
    assert len(one.calls) <= 2
    assert api.get(f"/addresses?user_id={customer.id}", token=manager.token).status == 403
    assert api.get(f"/addresses?user_id={manager.id}", token=manager.token).status == 200  # oneself: fine
    assert api.get("/addresses/NOPE", token=admin.token).status == 404


def test_addresses_need_a_token(api):
    assert api.get("/addresses").status == 401
    assert api.post("/addresses", address()).status == 401


def test_validation_in_french_and_english(api, customer):
    bad = address(country="FRA", phone="call me", postal_code="75@02", first_name="", owner="me")
    del bad["city"]
    french = api.post("/addresses", bad, token=customer.token)
    assert french.status == 422
    assert set(french.errors) == {"country", "phone", "postal_code", "first_name", "city", "owner"}
    assert french.errors["country"] == ["Le pays doit être un code ISO 3166-1 alpha-2 (ex. FR)."]
    assert french.errors["city"] == ["Le champ city est obligatoire."]
    english = api.post("/addresses", bad, token=customer.token, headers={"Accept-Language": "en"})
    assert english.errors["country"] == ["The country must be an ISO 3166-1 alpha-2 code (e.g. FR)."]
    assert english.errors["phone"] == ["The phone number is not valid."]
    assert api.post("/addresses", address(country="1A"), token=customer.token).status == 422


def test_patch_changes_some_fields_put_replaces_all(api, customer):
    created = add(api, customer, line2="Bât. B")
    patched = api.patch(f"/addresses/{created['id']}", {"city": "Lyon", "postal_code": "69001", "label": None},
                        token=customer.token)
    assert patched.status == 200
    assert patched.json["message"] == "Adresse mise à jour avec succès"
    assert (patched.data["city"], patched.data["label"], patched.data["line2"]) == ("Lyon", None, "Bât. B")
    assert len(patched.calls) <= 3
    replaced = api.put(f"/addresses/{created['id']}", {k: v for k, v in address().items() if k != "phone"},
                       token=customer.token)
    assert replaced.status == 200
    assert replaced.data["line2"] is None and replaced.data["phone"] is None and replaced.data["city"] == "Paris"
    assert api.patch(f"/addresses/{created['id']}", {"city": None}, token=customer.token).status == 422
    missing = api.put(f"/addresses/{created['id']}", {"city": "Nice"}, token=customer.token)
    assert missing.status == 422 and "line1" in missing.errors


def test_delete_an_address(api, customer):
    created = add(api, customer)
    reply = api.delete(f"/addresses/{created['id']}", token=customer.token)
    assert reply.status == 200
    assert reply.json == {"success": True, "data": None, "message": "Adresse supprimée avec succès"}
    assert len(reply.calls) <= 3
    assert api.get(f"/addresses/{created['id']}", token=customer.token).status == 404
    assert api.delete(f"/addresses/{created['id']}", token=customer.token).status == 404
    assert api.get("/addresses", token=customer.token).json["meta"]["total"] == 0


def test_one_default_per_user(api, customer, staff):
    first = add(api, customer, is_default=True)
    other_users = add(api, staff, is_default=True)
    second = add(api, customer, is_default=True)
    assert defaults(api, customer) == [second["id"]]
    made = api.patch(f"/addresses/{first['id']}", {"is_default": True}, token=customer.token)
    assert made.status == 200 and made.data["is_default"] is True
    assert len(made.calls) <= 3
    assert defaults(api, customer) == [first["id"]]
    assert defaults(api, staff) == [other_users["id"]]
    assert api.patch(f"/addresses/{first['id']}", {"is_default": False}, token=customer.token).status == 200
    assert defaults(api, customer) == []
    third = add(api, customer, is_default=True)
    assert api.delete(f"/addresses/{third['id']}", token=customer.token).status == 200
    assert api.patch(f"/addresses/{second['id']}", {"is_default": True}, token=customer.token).status == 200
    assert defaults(api, customer) == [second["id"]]


def test_parallel_make_default_leaves_exactly_one_default(api):
    account = make_account(["customer"])
    created = [add(api, account) for _ in range(5)]
    with ThreadPoolExecutor(max_workers=5) as pool:
        statuses = list(pool.map(
            lambda a: api.patch(f"/addresses/{a['id']}", {"is_default": True}, token=account.token).status, created))
    assert set(statuses) <= {200, 503} and 200 in statuses
    assert len(defaults(api, account)) == 1


def test_parallel_creates_as_default_leave_exactly_one_default(api):
    account = make_account(["customer"])
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(
            lambda n: api.post("/addresses", address(label=f"L{n}", is_default=True), token=account.token).status,
            range(4)))
    assert set(statuses) <= {201, 409} and 201 in statuses
    assert len(defaults(api, account)) == 1
    assert api.get("/addresses", token=account.token).json["meta"]["total"] == statuses.count(201)


def test_if_match_guards_updates_and_deletes(api, customer):
    created = add(api, customer)
    path = f"/addresses/{created['id']}"
    etag = api.get(path, token=customer.token).headers["etag"]
    ok = api.patch(path, {"city": "Lyon"}, token=customer.token, headers={"If-Match": etag})
    assert ok.status == 200
    assert api.patch(path, {"city": "Nice"}, token=customer.token, headers={"If-Match": etag}).status == 412
    assert api.delete(path, token=customer.token, headers={"If-Match": etag}).status == 412
    assert api.delete(path, token=customer.token, headers={"If-Match": ok.headers["etag"]}).status == 200


def test_a_default_change_elsewhere_makes_the_old_default_etag_stale(api, customer):
    first = add(api, customer, is_default=True)
    etag = api.get(f"/addresses/{first['id']}", token=customer.token).headers["etag"]
    add(api, customer, is_default=True)
    assert api.patch(f"/addresses/{first['id']}", {"city": "Lyon"}, token=customer.token,
                     headers={"If-Match": etag}).status == 412


def test_create_replays_with_an_idempotency_key(api, customer):
    headers = {"Idempotency-Key": "addr-1"}
    first = api.post("/addresses", address(), token=customer.token, headers=headers)
    again = api.post("/addresses", address(), token=customer.token, headers=headers)
    assert first.status == again.status == 201
    assert again.data == first.data and again.headers["idempotent-replayed"] == "true"
    assert api.get("/addresses", token=customer.token).json["meta"]["total"] == 1
    assert api.post("/addresses", address(city="Lyon"), token=customer.token, headers=headers).status == 422


@pytest.mark.parametrize("country", ["FR", "de", "Us"])
def test_country_codes_are_stored_upper_case(api, customer, country):
    assert add(api, customer, country=country)["country"] == country.upper()
