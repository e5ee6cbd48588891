"""Roles and the permission catalogue: who may read and manage them, custom roles, built-in protection."""
from __future__ import annotations

import pytest

from chalicelib.identity.permissions import PERMISSIONS
from tests.conftest import make_account


def create_role(api, token: str, name: str = "editor", permissions: list[str] | None = None, *,
                headers: dict | None = None, **extra):
    return api.post("/roles", {"name": name, "permissions": permissions or ["products.view"], **extra}, token=token,
                    headers=headers)


def test_admin_lists_the_four_built_in_roles_with_their_permissions(api, admin):
    reply = api.get("/roles", token=admin.token)
    assert reply.status == 200
    assert [role["name"] for role in reply.data] == ["admin", "customer", "manager", "staff"]
    assert reply.json["meta"]["total"] == 4
    admin_role = reply.data[0]
    assert admin_role["builtin"] is True and admin_role["id"] == "admin"
    assert sorted(admin_role["permissions"]) == sorted(PERMISSIONS)
    assert len(reply.calls) <= 3


def test_the_permission_catalogue(api, admin):
    reply = api.get("/permissions", token=admin.token)
    assert reply.status == 200
    assert [p["name"] for p in reply.data] == list(PERMISSIONS)
    assert {"name": "stock.update", "resource": "stock", "action": "update"} in reply.data
    assert reply.calls == ["BatchGetItem"]


@pytest.mark.parametrize("who", ["manager", "staff", "customer"])
def test_roles_and_permissions_are_refused_without_roles_view(api, who, request):
    token = request.getfixturevalue(who).token
    for path in ("/roles", "/permissions", "/roles/admin"):
        reply = api.get(path, token=token)
        assert reply.status == 403
        assert reply.json == {"success": False, "error": "Action non autorisée"}


@pytest.mark.parametrize("who", ["manager", "staff", "customer"])
def test_managing_roles_is_refused_without_roles_manage(api, who, request, admin):
    token = request.getfixturevalue(who).token
    assert create_role(api, admin.token, "existing").status == 201
    assert create_role(api, token).status == 403
    assert api.put("/roles/existing", {"permissions": []}, token=token).status == 403
    assert api.delete("/roles/existing", token=token).status == 403


def test_roles_need_a_token(api):
    assert api.get("/roles").status == 401
    assert api.post("/roles", {"name": "x", "permissions": []}).status == 401


def test_create_read_replace_delete_a_custom_role(api, admin):
    created = create_role(api, admin.token, "editor", ["products.view", "products.update", "products.view"],
                          description="Edits products")
    assert created.status == 201
    assert created.json["message"] == "Rôle créé avec succès"
    assert created.data["id"] == "editor" and created.data["builtin"] is False
    assert created.data["permissions"] == ["products.update", "products.view"]
    assert len(created.calls) <= 3
    one = api.get("/roles/editor", token=admin.token)
    assert one.status == 200 and one.data == created.data
    assert len(one.calls) <= 2
    assert api.get("/roles", token=admin.token).json["meta"]["total"] == 5
    replaced = api.put("/roles/editor", {"permissions": ["users.view"]}, token=admin.token,
                       headers={"If-Match": one.headers["etag"]})
    assert replaced.status == 200
    assert replaced.data["permissions"] == ["users.view"] and replaced.data["description"] is None
    assert len(replaced.calls) <= 3
    deleted = api.delete("/roles/editor", token=admin.token)
    assert deleted.status == 200 and deleted.json["data"] is None
    assert api.get("/roles/editor", token=admin.token).status == 404
    assert api.get("/roles", token=admin.token).json["meta"]["total"] == 4


def test_unknown_permissions_and_bad_names_are_422_in_both_languages(api, admin):
    french = create_role(api, admin.token, "Bad Name!", ["products.view", "rockets.launch"])
    assert french.status == 422
    assert french.errors["permissions"] == ["Permission inconnue : rockets.launch."]
    assert "name" in french.errors
    english = create_role(api, admin.token, "ok-name", ["rockets.launch"], headers={"Accept-Language": "en"})
    assert english.errors == {"permissions": ["Unknown permission: rockets.launch."]}
    assert create_role(api, admin.token, "ok-name", ["products.view"], builtin=True).status == 422


def test_a_role_name_is_unique_and_built_in_names_are_taken(api, admin):
    assert create_role(api, admin.token, "editor").status == 201
    again = create_role(api, admin.token, "editor")
    assert again.status == 409
    assert again.errors == {"name": ["Ce rôle existe déjà."]}
    assert create_role(api, admin.token, "admin").status == 409


@pytest.mark.parametrize("name", ["admin", "manager", "staff", "customer"])
def test_built_in_roles_can_be_neither_changed_nor_deleted(api, admin, name):
    changed = api.put(f"/roles/{name}", {"permissions": ["products.view"]}, token=admin.token,
                      headers={"Accept-Language": "en"})
    assert changed.status == 403
    assert changed.json["error"] == "Built-in roles can be neither changed nor deleted."
    assert api.delete(f"/roles/{name}", token=admin.token).status == 403
    assert api.get(f"/roles/{name}", token=admin.token).status == 200


def test_a_role_still_held_even_by_a_trashed_user_cannot_be_deleted(api, admin):
    assert create_role(api, admin.token, "editor").status == 201
    holder = make_account(["editor"])
    assert api.delete("/roles/editor", token=admin.token).status == 409
    assert api.delete(f"/users/{holder.id}", token=admin.token).status == 200
    held = api.delete("/roles/editor", token=admin.token)
    assert held.status == 409
    assert held.json["error"] == "Ce rôle est encore attribué à des utilisateurs."
    assert api.patch(f"/users/{holder.id}", {"roles": ["customer"]}, token=admin.token).status == 404  # trashed
    assert api.post(f"/users/{holder.id}/restore", token=admin.token).status == 200
    assert api.patch(f"/users/{holder.id}", {"roles": ["customer"]}, token=admin.token).status == 200
    assert api.delete("/roles/editor", token=admin.token).status == 200


def test_unknown_role_is_404(api, admin):
    assert api.get("/roles/nope", token=admin.token).status == 404
    assert api.put("/roles/nope", {"permissions": []}, token=admin.token).status == 404
    assert api.delete("/roles/nope", token=admin.token).status == 404


def test_a_custom_roles_permissions_apply_and_follow_its_changes(api, admin):
    assert create_role(api, admin.token, "user-reader", ["users.view"]).status == 201
    reader = make_account(["user-reader"])
    assert api.get("/users", token=reader.token).status == 200
    assert api.put("/roles/user-reader", {"permissions": ["roles.view"]}, token=admin.token).status == 200
    assert api.get("/users", token=reader.token).status == 403  # the next request already sees the change
    assert api.get("/roles", token=reader.token).status == 200


def test_if_match_and_if_none_match_on_roles(api, admin):
    assert create_role(api, admin.token, "editor").status == 201
    first = api.get("/roles/editor", token=admin.token)
    assert api.get("/roles/editor", token=admin.token, headers={"If-None-Match": first.headers["etag"]}).status == 304
    assert api.put("/roles/editor", {"permissions": ["users.view"]}, token=admin.token).status == 200
    stale = api.put("/roles/editor", {"permissions": ["roles.view"]}, token=admin.token,
                    headers={"If-Match": first.headers["etag"]})
    assert stale.status == 412
    assert api.delete("/roles/editor", token=admin.token, headers={"If-Match": first.headers["etag"]}).status == 412
    assert api.get("/roles/editor", token=admin.token).data["permissions"] == ["users.view"]


def test_creating_a_role_is_idempotent_with_a_key(api, admin):
    headers = {"Idempotency-Key": "role-1"}
    first = create_role(api, admin.token, "editor", headers=headers)
    again = create_role(api, admin.token, "editor", headers=headers)
    assert first.status == again.status == 201
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.data == first.data
    other = create_role(api, admin.token, "another", headers=headers)
    assert other.status == 422
