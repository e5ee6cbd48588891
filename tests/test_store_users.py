"""Store users over HTTP: list with user summaries, attach (idempotent, users must exist), detach; the
manager's scope; totals and call budgets."""
from __future__ import annotations

from tests.builders import add_members, create_store, make_plain_users
from tests.conftest import make_account


def test_admin_attaches_users_and_lists_them_with_summaries(api, admin):
    store = create_store(api, admin.token)
    alice = make_account(["staff"], name="Alice", email="alice@example.com")
    bob = make_account(["manager"], name="Bob", email="bob@example.com")
    reply = api.post(f"/stores/{store['id']}/users", json={"user_ids": [alice.id, bob.id]}, token=admin.token)
    assert reply.status == 200 and len(reply.calls) <= 3
    assert reply.data == {"store_id": store["id"], "attached": [alice.id, bob.id], "already_attached": []}
    listed = api.get(f"/stores/{store['id']}/users", token=admin.token)
    assert listed.status == 200 and len(listed.calls) <= 3
    assert {(m["id"], m["name"], m["email"]) for m in listed.data} == {
        (alice.id, "Alice", "alice@example.com"), (bob.id, "Bob", "bob@example.com")}
    assert all(m["joined_at"].endswith("Z") for m in listed.data)
    assert listed.json["meta"]["total"] == 2


def test_attaching_again_is_idempotent(api, admin, staff):
    store = create_store(api, admin.token)
    add_members(api, admin.token, store["id"], staff.id)
    again = api.post(f"/stores/{store['id']}/users", json={"user_ids": [staff.id, staff.id]}, token=admin.token)
    assert again.status == 200
    assert again.data["attached"] == [] and again.data["already_attached"] == [staff.id]
    assert api.get(f"/stores/{store['id']}/users", token=admin.token).json["meta"]["total"] == 1


def test_unknown_users_are_422_and_nothing_is_attached(api, admin, staff):
    store = create_store(api, admin.token)
    reply = api.post(f"/stores/{store['id']}/users", json={"user_ids": [staff.id, "01UNKNOWN"]}, token=admin.token,
                     headers={"Accept-Language": "en"})
    assert reply.status == 422
    assert reply.errors == {"user_ids.1": ["User 01UNKNOWN does not exist."]}
    assert api.get(f"/stores/{store['id']}/users", token=admin.token).data == []


def test_user_ids_are_validated(api, admin):
    store = create_store(api, admin.token)
    assert api.post(f"/stores/{store['id']}/users", json={"user_ids": []}, token=admin.token).status == 422
    too_many = api.post(f"/stores/{store['id']}/users", json={"user_ids": [f"u{n}" for n in range(101)]},
                        token=admin.token)
    assert too_many.status == 422 and "user_ids" in too_many.errors
    assert api.post(f"/stores/{store['id']}/users", json={"user_ids": "x"}, token=admin.token).status == 422


def test_many_users_at_once_span_transactions_and_count_right(api, admin):
    store = create_store(api, admin.token)
    users = make_plain_users(60)
    reply = api.post(f"/stores/{store['id']}/users", json={"user_ids": users}, token=admin.token)
    assert reply.status == 200 and sorted(reply.data["attached"]) == sorted(users)
    first = api.get(f"/stores/{store['id']}/users?per_page=50", token=admin.token)
    assert first.json["meta"]["total"] == 60 and len(first.data) == 50
    second = api.get(f"/stores/{store['id']}/users?per_page=50&cursor={first.json['meta']['next_cursor']}",
                     token=admin.token)
    assert len(second.data) == 10 and second.json["meta"]["next_cursor"] is None and len(second.calls) <= 3
    assert {m["id"] for m in first.data + second.data} == set(users)


def test_detach_a_user(api, admin, staff):
    store = create_store(api, admin.token)
    add_members(api, admin.token, store["id"], staff.id)
    reply = api.delete(f"/stores/{store['id']}/users/{staff.id}", token=admin.token)
    assert reply.status == 200 and reply.json["data"] is None and len(reply.calls) <= 3
    assert api.get(f"/stores/{store['id']}/users", token=admin.token).json["meta"]["total"] == 0
    assert api.delete(f"/stores/{store['id']}/users/{staff.id}", token=admin.token).status == 404


def test_unknown_store_is_404(api, admin, staff):
    assert api.get("/stores/nope/users", token=admin.token).status == 404
    assert api.post("/stores/nope/users", json={"user_ids": [staff.id]}, token=admin.token).status == 404


def test_manager_manages_users_only_of_their_stores(api, admin, manager, staff):
    mine = create_store(api, admin.token, name="Mine")
    other = create_store(api, admin.token, name="Other")
    add_members(api, admin.token, mine["id"], manager.id)
    add_members(api, admin.token, other["id"], staff.id)
    assert api.post(f"/stores/{mine['id']}/users", json={"user_ids": [staff.id]}, token=manager.token).status == 200
    assert api.get(f"/stores/{mine['id']}/users", token=manager.token).status == 200
    assert api.post(f"/stores/{other['id']}/users", json={"user_ids": [manager.id]}, token=manager.token).status == 403
    assert api.get(f"/stores/{other['id']}/users", token=manager.token).status == 403
    refused = api.delete(f"/stores/{other['id']}/users/{staff.id}", token=manager.token)
    assert refused.status == 403
    assert api.get(f"/stores/{other['id']}/users", token=admin.token).json["meta"]["total"] == 1
    assert api.delete(f"/stores/{mine['id']}/users/{staff.id}", token=manager.token).status == 200


def test_staff_and_customers_cannot_manage_users(api, admin, staff, customer):
    store = create_store(api, admin.token)
    for account in (staff, customer):
        assert api.get(f"/stores/{store['id']}/users", token=account.token).status == 403
        assert api.post(f"/stores/{store['id']}/users", json={"user_ids": [account.id]},
                        token=account.token).status == 403


def test_a_soft_deleted_user_cannot_be_attached(api, admin):
    store = create_store(api, admin.token)
    gone = make_account(["staff"], name="Gone")
    assert api.delete(f"/users/{gone.id}", token=admin.token).status == 200
    reply = api.post(f"/stores/{store['id']}/users", json={"user_ids": [gone.id]}, token=admin.token)
    assert reply.status == 422 and list(reply.errors) == ["user_ids.0"]


def test_concurrent_attaches_of_the_same_user_count_once(api, admin, staff):
    import threading

    store = create_store(api, admin.token)
    statuses: list[int] = []
    start = threading.Barrier(6)

    def attach_once() -> None:
        start.wait()
        statuses.append(api.post(f"/stores/{store['id']}/users", json={"user_ids": [staff.id]},
                                 token=admin.token).status)

    threads = [threading.Thread(target=attach_once) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 6
    listed = api.get(f"/stores/{store['id']}/users", token=admin.token)
    assert [m["id"] for m in listed.data] == [staff.id] and listed.json["meta"]["total"] == 1
