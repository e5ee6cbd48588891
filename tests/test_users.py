"""User accounts through HTTP: lists and filters, reads, creates, updates, soft delete and restore."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import make_account


def user_body(email: str = "created@example.com", **extra) -> dict:
    return {"name": "Created", "email": email, "password": "password123", **extra}


@pytest.fixture
def user_manager(api, admin):
    """Someone with every users.* permission who is not an admin (a custom role)."""
    reply = api.post("/roles", {"name": "user-manager", "permissions": [
        "users.view", "users.create", "users.update", "users.delete", "users.restore"]}, token=admin.token)
    assert reply.status == 201
    return make_account(["user-manager"])


# --- list ----------------------------------------------------------------------------------------
def test_list_users_newest_first_with_totals_and_cursor_pages(api, admin):
    others = [make_account(["customer"]) for _ in range(3)]
    first = api.get("/users?per_page=2", token=admin.token)
    assert first.status == 200
    assert first.json["meta"] == {"per_page": 2, "current_page": 1, "last_page": 2, "total": 4,
                                  "next_cursor": first.json["meta"]["next_cursor"]}
    assert [u["id"] for u in first.data] == [others[2].id, others[1].id]
    assert len(first.calls) <= 3
    second = api.get(f"/users?per_page=2&cursor={first.json['meta']['next_cursor']}", token=admin.token)
    assert [u["id"] for u in second.data] == [others[0].id, admin.id]
    assert second.json["meta"]["current_page"] == 2 and second.json["meta"]["next_cursor"] is None
    assert len(second.calls) <= 3


def test_list_filters_by_role_and_trashed_from_indexes(api, admin):
    staff = [make_account(["staff"]) for _ in range(2)]
    both = make_account(["staff", "manager"])
    assert api.delete(f"/users/{staff[0].id}", token=admin.token).status == 200

    def ids(query: str) -> tuple[list[str], int]:
        reply = api.get(f"/users?{query}", token=admin.token)
        assert reply.status == 200, reply.json
        assert len(reply.calls) <= 3
        return [u["id"] for u in reply.data], reply.json["meta"]["total"]

    assert ids("role=staff") == ([both.id, staff[1].id], 2)
    assert ids("role=staff&trashed=with") == ([both.id, staff[1].id, staff[0].id], 3)
    assert ids("role=staff&trashed=only") == ([staff[0].id], 1)
    assert ids("role=manager") == ([both.id], 1)
    assert ids("role=nobody") == ([], 0)
    assert ids("") == ([both.id, staff[1].id, admin.id], 3)
    assert ids("trashed=with") == ([both.id, staff[1].id, staff[0].id, admin.id], 4)
    assert ids("trashed=only") == ([staff[0].id], 1)
    listed = api.get("/users?role=staff&trashed=only", token=admin.token).data[0]
    assert listed["deleted_at"] is not None and listed["roles"] == ["staff"]


def test_list_query_validation(api, admin):
    reply = api.get("/users?trashed=maybe&per_page=500", token=admin.token, headers={"Accept-Language": "en"})
    assert reply.status == 422
    assert set(reply.errors) == {"trashed", "per_page"}
    assert api.get("/users?cursor=tampered.cursor", token=admin.token).status == 422


def test_manager_reads_users_but_staff_and_customers_cannot_list(api, manager, staff, customer):
    assert api.get("/users", token=manager.token).status == 200
    for account in (staff, customer):
        assert api.get("/users", token=account.token).status == 403


# --- read ----------------------------------------------------------------------------------------
def test_read_a_user_with_etag_and_304(api, admin, customer):
    reply = api.get(f"/users/{customer.id}", token=admin.token)
    assert reply.status == 200
    assert set(reply.data) == {"id", "name", "email", "roles", "is_active", "deleted_at", "created_at", "updated_at"}
    assert len(reply.calls) <= 2
    etag = reply.headers["etag"]
    assert api.get(f"/users/{customer.id}", token=admin.token, headers={"If-None-Match": etag}).status == 304


def test_a_user_reads_itself_but_not_others(api, customer, staff, manager):
    assert api.get(f"/users/{customer.id}", token=customer.token).status == 200
    assert api.get(f"/users/{staff.id}", token=customer.token).status == 403
    assert api.get(f"/users/{customer.id}", token=manager.token).status == 200
    assert api.get("/users/NOPE", token=manager.token).status == 404


# --- create --------------------------------------------------------------------------------------
def test_admin_creates_a_user_with_roles(api, admin):
    reply = api.post("/users", user_body(roles=["staff", "manager"], is_active=False), token=admin.token)
    assert reply.status == 201
    assert reply.json["message"] == "Utilisateur créé avec succès"
    assert reply.data["roles"] == ["manager", "staff"] and reply.data["is_active"] is False
    assert "password" not in reply.data
    assert len(reply.calls) <= 3
    assert api.get("/users?role=manager", token=admin.token).json["meta"]["total"] == 1


def test_create_defaults_to_customer_and_only_admins_choose_roles(api, user_manager):
    made = api.post("/users", user_body(), token=user_manager.token)
    assert made.status == 201 and made.data["roles"] == ["customer"]
    refused = api.post("/users", user_body("other@example.com", roles=["admin"]), token=user_manager.token,
                       headers={"Accept-Language": "en"})
    assert refused.status == 403
    assert refused.json["error"] == "Only an administrator can assign roles."


@pytest.mark.parametrize("who", ["manager", "staff", "customer"])
def test_create_is_refused_without_users_create(api, who, request):
    assert api.post("/users", user_body(), token=request.getfixturevalue(who).token).status == 403


def test_create_validation_and_conflicts(api, admin):
    bad = api.post("/users", {"name": "x" * 256, "email": "nope", "password": "short", "id": "mine"},
                   token=admin.token, headers={"Accept-Language": "en"})
    assert bad.status == 422
    assert set(bad.errors) == {"name", "email", "password", "id"}
    assert bad.errors["id"] == ["The id field is not allowed."]
    unknown_role = api.post("/users", user_body(roles=["wizard"]), token=admin.token)
    assert unknown_role.status == 422
    assert unknown_role.errors == {"roles": ["Rôle inconnu : wizard."]}
    assert api.post("/users", user_body(email=admin.email.upper()), token=admin.token).status == 422


def test_create_replays_with_an_idempotency_key(api, admin):
    headers = {"Idempotency-Key": "create-user-1"}
    first = api.post("/users", user_body(), token=admin.token, headers=headers)
    again = api.post("/users", user_body(), token=admin.token, headers=headers)
    assert first.status == again.status == 201
    assert again.data == first.data and again.headers["idempotent-replayed"] == "true"
    assert api.get("/users", token=admin.token).json["meta"]["total"] == 2
    assert api.post("/users", user_body("else@example.com"), token=admin.token, headers=headers).status == 422


# --- update --------------------------------------------------------------------------------------
def test_a_user_updates_its_own_name_and_email(api, customer):
    reply = api.patch(f"/users/{customer.id}", {"name": "Renamed"}, token=customer.token)
    assert reply.status == 200
    assert reply.json["message"] == "Utilisateur mis à jour avec succès"
    assert reply.data["name"] == "Renamed"
    assert len(reply.calls) <= 3
    assert api.get("/auth/me", token=customer.token).status == 200  # a profile edit keeps the session
    # The e-mail is the login: changing one's own proves the password, like a password change (issue 10 #5).
    reply = api.patch(f"/users/{customer.id}", {"email": "Renamed@Example.com", "current_password": customer.password},
                      token=customer.token)
    assert reply.status == 200 and reply.data["email"] == "renamed@example.com"
    assert len(reply.calls) <= 3


def test_an_email_change_frees_the_old_address_and_takes_the_new(api, admin, customer):
    old = customer.email
    assert api.patch(f"/users/{customer.id}", {"email": "moved@example.com", "current_password": customer.password},
                     token=customer.token).status == 200
    body = {"name": "Newcomer", "password": "password123", "password_confirmation": "password123"}
    assert api.post("/auth/register", {**body, "email": "moved@example.com"}).status == 422
    assert api.post("/auth/register", {**body, "email": old}).status == 201
    taken = api.patch(f"/users/{admin.id}", {"email": "MOVED@example.com", "current_password": admin.password},
                      token=admin.token)
    assert taken.status == 422
    assert taken.errors == {"email": ["Cette adresse e-mail est déjà utilisée."]}
    assert api.post("/auth/login", {"email": "moved@example.com", "password": customer.password}).status == 200


def test_a_user_cannot_give_itself_roles_or_change_its_activation(api, customer, user_manager):
    roles = api.patch(f"/users/{customer.id}", {"roles": ["admin"]}, token=customer.token)
    assert roles.status == 403
    active = api.patch(f"/users/{customer.id}", {"is_active": False}, token=customer.token)
    assert active.status == 403
    promoted = api.patch(f"/users/{user_manager.id}", {"roles": ["admin"]}, token=user_manager.token)
    assert promoted.status == 403
    assert api.get(f"/users/{customer.id}", token=customer.token).data["roles"] == ["customer"]


def test_updating_someone_else_needs_users_update(api, customer, staff, manager, user_manager):
    for account in (customer, manager):
        assert api.patch(f"/users/{staff.id}", {"name": "Hacked"}, token=account.token).status == 403
    reply = api.patch(f"/users/{staff.id}", {"name": "Managed", "is_active": False}, token=user_manager.token)
    assert reply.status == 200 and reply.data["is_active"] is False


def test_admin_changes_roles_and_the_role_lists_follow(api, admin, staff):
    reply = api.patch(f"/users/{staff.id}", {"roles": ["manager", "customer"]}, token=admin.token)
    assert reply.status == 200 and reply.data["roles"] == ["customer", "manager"]
    assert api.get("/users?role=staff", token=admin.token).json["meta"]["total"] == 0
    listed = api.get("/users?role=manager", token=admin.token)
    assert [u["id"] for u in listed.data] == [staff.id] and listed.data[0]["roles"] == ["customer", "manager"]
    unknown = api.patch(f"/users/{staff.id}", {"roles": ["ghost"]}, token=admin.token)
    assert unknown.status == 422 and "roles" in unknown.errors


def test_role_lists_show_the_users_current_fields(api, admin, staff):
    assert api.patch(f"/users/{staff.id}", {"name": "Renamed Staff"}, token=admin.token).status == 200
    assert api.get("/users?role=staff", token=admin.token).data[0]["name"] == "Renamed Staff"


def test_put_replaces_and_requires_name_and_email(api, admin, customer):
    missing = api.put(f"/users/{customer.id}", {"name": "Only name"}, token=admin.token)
    assert missing.status == 422 and set(missing.errors) == {"email"}
    reply = api.put(f"/users/{customer.id}", {"name": "Put Name", "email": customer.email}, token=admin.token)
    assert reply.status == 200 and reply.data["name"] == "Put Name"
    assert reply.data["roles"] == ["customer"] and reply.data["is_active"] is True


def test_patch_refuses_null_and_unknown_fields(api, admin, customer):
    reply = api.patch(f"/users/{customer.id}", {"name": None, "deleted_at": "now"}, token=admin.token)
    assert reply.status == 422
    assert set(reply.errors) == {"name", "deleted_at"}


def test_if_match_guards_updates_and_deletes(api, admin, customer):
    etag = api.get(f"/users/{customer.id}", token=admin.token).headers["etag"]
    ok = api.patch(f"/users/{customer.id}", {"name": "First"}, token=admin.token, headers={"If-Match": etag})
    assert ok.status == 200
    assert ok.headers["etag"] != etag
    stale = api.patch(f"/users/{customer.id}", {"name": "Second"}, token=admin.token, headers={"If-Match": etag})
    assert stale.status == 412
    assert stale.json["error"] == "La ressource a changé depuis votre dernière lecture"
    assert api.delete(f"/users/{customer.id}", token=admin.token, headers={"If-Match": etag}).status == 412
    fresh = api.patch(f"/users/{customer.id}", {"name": "Third"}, token=admin.token,
                      headers={"If-Match": ok.headers["etag"]})
    assert fresh.status == 200 and fresh.data["name"] == "Third"


def test_concurrent_updates_of_different_fields_both_land(api, admin):
    """Each write is conditioned on the version it read; the loser re-reads and re-applies, so no update is lost."""
    for round_ in range(3):
        target = make_account(["customer"])
        changes = [{"name": f"Both {round_}"}, {"is_active": False}, {"email": f"both{round_}@example.com"}]
        with ThreadPoolExecutor(max_workers=3) as pool:
            statuses = list(pool.map(lambda body, t=target: api.patch(f"/users/{t.id}", body, token=admin.token).status,
                                     changes))
        assert statuses == [200, 200, 200]
        final = api.get(f"/users/{target.id}", token=admin.token).data
        assert (final["name"], final["is_active"], final["email"]) == (f"Both {round_}", False, f"both{round_}@example.com")


def test_updating_an_unknown_user_is_404(api, admin):
    assert api.patch("/users/NOPE", {"name": "x"}, token=admin.token).status == 404


# --- delete and restore --------------------------------------------------------------------------
def test_soft_delete_keeps_the_email_and_restore_brings_the_user_back(api, admin, customer):
    deleted = api.delete(f"/users/{customer.id}", token=admin.token)
    assert deleted.status == 200
    assert deleted.json == {"success": True, "data": None, "message": "Utilisateur supprimé avec succès"}
    assert len(deleted.calls) <= 3
    seen = api.get(f"/users/{customer.id}", token=admin.token)
    assert seen.status == 200 and seen.data["deleted_at"] is not None
    assert api.delete(f"/users/{customer.id}", token=admin.token).status == 404
    body = {"name": "Thief", "email": customer.email, "password": "password123", "password_confirmation": "password123"}
    assert api.post("/auth/register", body).status == 422
    totals = {q: api.get(f"/users?{q}", token=admin.token).json["meta"]["total"] for q in ("", "trashed=only", "trashed=with")}
    assert totals == {"": 1, "trashed=only": 1, "trashed=with": 2}
    restored = api.post(f"/users/{customer.id}/restore", token=admin.token)
    assert restored.status == 200 and restored.data["deleted_at"] is None
    assert len(restored.calls) <= 3
    assert restored.json["message"] == "Utilisateur restauré avec succès"
    assert api.post(f"/users/{customer.id}/restore", token=admin.token).status == 409
    assert api.post("/auth/login", {"email": customer.email, "password": customer.password}).status == 200
    totals = {q: api.get(f"/users?{q}", token=admin.token).json["meta"]["total"] for q in ("", "trashed=only", "trashed=with")}
    assert totals == {"": 2, "trashed=only": 0, "trashed=with": 2}


def test_delete_and_restore_permissions(api, admin, manager, customer, user_manager):
    assert api.delete(f"/users/{customer.id}", token=manager.token).status == 403
    assert api.delete(f"/users/{customer.id}", token=customer.token).status == 403
    own = api.delete(f"/users/{admin.id}", token=admin.token, headers={"Accept-Language": "en"})
    assert own.status == 403 and own.json["error"] == "You cannot delete your own account."
    assert api.delete(f"/users/{customer.id}", token=user_manager.token).status == 200
    assert api.post(f"/users/{customer.id}/restore", token=manager.token).status == 403
    assert api.post("/users/NOPE/restore", token=admin.token).status == 404
    assert api.post(f"/users/{customer.id}/restore", token=user_manager.token).status == 200
