"""Nobody hands out more than they hold (API.md §3): a roles.manage holder cannot grant permissions it lacks,
nor change or delete a role it holds or one stronger than itself; only admins assign roles."""
from __future__ import annotations

import pytest

from chalicelib.identity.permissions import PERMISSIONS
from tests.conftest import Account, make_account


def _role(api, admin: Account, name: str, permissions: list[str]) -> None:
    assert api.post("/roles", {"name": name, "permissions": permissions}, token=admin.token).status == 201


@pytest.fixture
def rolemgr(api, admin) -> Account:
    """The issue's account: a custom role with roles.view and roles.manage only."""
    _role(api, admin, "rolemgr", ["roles.view", "roles.manage"])
    return make_account(["rolemgr"])


def _permissions(api, account: Account) -> list[str]:
    return api.get("/auth/me", token=account.token).data["permissions"]


def test_a_role_manager_cannot_widen_the_role_it_holds(api, admin, rolemgr):
    reply = api.put("/roles/rolemgr", {"permissions": list(PERMISSIONS)}, token=rolemgr.token)
    assert reply.status == 403
    narrower = api.put("/roles/rolemgr", {"permissions": ["roles.view"]}, token=rolemgr.token)
    assert narrower.status == 403  # nobody but an admin changes a role they hold, in either direction
    assert api.delete("/roles/rolemgr", token=rolemgr.token).status == 403
    assert api.get("/roles/rolemgr", token=admin.token).data["permissions"] == ["roles.manage", "roles.view"]
    # The same token gained nothing, so the next step (reset an admin's password) stays shut.
    assert _permissions(api, rolemgr) == ["roles.manage", "roles.view"]
    assert api.patch(f"/users/{admin.id}", {"password": "Taken0ver!"}, token=rolemgr.token).status == 403


def test_a_role_manager_creates_roles_only_with_permissions_it_holds(api, rolemgr):
    refused = api.post("/roles", {"name": "support", "permissions": ["users.update", "users.delete", "roles.view"]},
                       token=rolemgr.token, headers={"Accept-Language": "en"})
    assert refused.status == 403
    assert refused.json["error"] == "You cannot grant permissions you do not hold: users.delete, users.update."
    assert api.get("/roles/support", token=rolemgr.token).status == 404
    assert api.post("/roles", {"name": "viewer", "permissions": ["roles.view"]}, token=rolemgr.token).status == 201


def test_a_role_manager_cannot_grant_through_another_role_it_holds(api, admin):
    _role(api, admin, "rolemgr", ["roles.view", "roles.manage"])
    _role(api, admin, "helper", ["roles.view"])
    both = make_account(["helper", "rolemgr"])
    assert api.put("/roles/helper", {"permissions": ["roles.view", "users.update"]}, token=both.token).status == 403
    assert api.put("/roles/helper", {"permissions": ["roles.view", "roles.manage"]}, token=both.token).status == 403
    assert api.get("/roles/helper", token=admin.token).data["permissions"] == ["roles.view"]


def test_a_role_manager_changes_roles_it_does_not_hold_within_its_own_permissions(api, admin, rolemgr):
    _role(api, admin, "reader", ["roles.view"])
    holder = make_account(["reader"])
    assert api.put("/roles/reader", {"permissions": ["roles.view", "roles.manage"]}, token=rolemgr.token).status == 200
    assert api.put("/roles/reader", {"permissions": ["roles.view", "users.update"]}, token=rolemgr.token).status == 403
    assert api.get("/roles/reader", token=admin.token).data["permissions"] == ["roles.manage", "roles.view"]
    assert api.delete("/users/" + holder.id, token=admin.token).status == 200  # trashed holders still hold it
    assert api.delete("/roles/reader", token=rolemgr.token).status == 409


def test_a_role_manager_cannot_strip_or_delete_a_stronger_role(api, admin, rolemgr):
    _role(api, admin, "support", ["users.view", "users.update"])
    assert api.put("/roles/support", {"permissions": ["roles.view"]}, token=rolemgr.token).status == 403
    assert api.delete("/roles/support", token=rolemgr.token).status == 403
    assert api.get("/roles/support", token=admin.token).data["permissions"] == ["users.update", "users.view"]


def test_admins_still_grant_and_change_anything(api, admin):
    assert api.post("/roles", {"name": "everything", "permissions": list(PERMISSIONS)}, token=admin.token).status == 201
    _role(api, admin, "mine", ["roles.view"])
    assert api.patch(f"/users/{admin.id}", {"roles": ["admin", "mine"]}, token=admin.token).status == 200
    again = api.post("/auth/login", {"email": admin.email, "password": admin.password}).data["access_token"]
    assert api.put("/roles/mine", {"permissions": ["users.view"]}, token=again).status == 200
    assert api.delete("/roles/everything", token=again).status == 200


def test_only_admins_assign_roles_whatever_else_they_hold(api, admin, rolemgr):
    _role(api, admin, "people", ["users.view", "users.create", "users.update", "roles.view", "roles.manage"])
    people = make_account(["people"])
    target = make_account(["customer"])
    for roles in (["rolemgr"], ["people"], ["admin"]):
        assert api.patch(f"/users/{target.id}", {"roles": roles}, token=people.token).status == 403
        assert api.patch(f"/users/{people.id}", {"roles": roles + ["people"]}, token=people.token).status == 403
        created = api.post("/users", {"name": "N", "email": f"n-{roles[0]}@example.com", "password": "password123",
                                      "roles": roles}, token=people.token)
        assert created.status == 403
    assert api.get(f"/users/{target.id}", token=admin.token).data["roles"] == ["customer"]


def test_patch_is_no_way_round_the_grant_rules(api, admin, rolemgr):
    """PATCH /roles/{id} (a second route to the same write) follows the same rules as PUT."""
    assert api.patch("/roles/rolemgr", {"permissions": list(PERMISSIONS)}, token=rolemgr.token).status == 403
    assert api.patch("/roles/rolemgr", {"description": "mine now"}, token=rolemgr.token).status == 403
    _role(api, admin, "reader", ["roles.view"])
    assert api.patch("/roles/reader", {"permissions": ["roles.view", "users.update"]}, token=rolemgr.token).status == 403
    assert api.patch("/roles/reader", {"description": "read only"}, token=rolemgr.token).status == 200
    assert api.get("/roles/reader", token=admin.token).data["permissions"] == ["roles.view"]
    assert _permissions(api, rolemgr) == ["roles.manage", "roles.view"]
