"""Accounts an attacker would aim at: admins' accounts reached by users.* holders, sessions that outlive a
deactivation or a deletion, and one's own e-mail (the login) changed with a stolen access token."""
from __future__ import annotations

import pytest

from tests.conftest import Account, make_account

ALL_USERS = ["users.view", "users.create", "users.update", "users.delete", "users.restore"]


@pytest.fixture
def support(api, admin) -> Account:
    """Every users.* permission, no admin role (the issue's `support`, widened to every users route)."""
    assert api.post("/roles", {"name": "support", "permissions": ALL_USERS}, token=admin.token).status == 201
    return make_account(["support"])


def _still_in(api, account: Account) -> None:
    """The account is untouched: its token works and its password still logs in."""
    assert api.get("/auth/me", token=account.token).status == 200
    assert api.post("/auth/login", {"email": account.email, "password": account.password}).status == 200


# --- item 2: only an admin changes an admin's account -------------------------------------------------
@pytest.mark.parametrize("change", [{"password": "Taken0ver!"}, {"email": "mine@example.com"},
                                    {"is_active": False}, {"name": "Pwned"}, {"roles": ["customer"]}])
def test_a_users_manager_cannot_change_an_admins_account(api, admin, support, change):
    other_admin = make_account(["admin"])
    for method in (api.patch, api.put):
        body = {"name": "Admin", "email": other_admin.email, **change} if method == api.put else change
        reply = method(f"/users/{other_admin.id}", body, token=support.token)
        assert reply.status == 403, (method, reply.json)
    assert api.get(f"/users/{other_admin.id}", token=admin.token).data["is_active"] is True
    _still_in(api, other_admin)


def test_a_users_manager_cannot_delete_or_restore_an_admin(api, admin, support):
    other_admin, trashed_admin = make_account(["admin"]), make_account(["admin"])
    assert api.delete(f"/users/{other_admin.id}", token=support.token).status == 403
    _still_in(api, other_admin)
    assert api.delete(f"/users/{trashed_admin.id}", token=admin.token).status == 200
    assert api.post(f"/users/{trashed_admin.id}/restore", token=support.token).status == 403
    assert api.get(f"/users/{trashed_admin.id}", token=admin.token).data["deleted_at"] is not None


def test_admins_change_admins_and_users_managers_still_manage_everyone_else(api, admin, support, customer):
    other_admin = make_account(["admin"])
    assert api.patch(f"/users/{other_admin.id}", {"password": "NewSecret1!"}, token=admin.token).status == 200
    assert api.patch(f"/users/{customer.id}", {"password": "NewSecret1!", "is_active": False},
                     token=support.token).status == 200
    assert api.delete(f"/users/{customer.id}", token=support.token).status == 200
    assert api.post(f"/users/{customer.id}/restore", token=support.token).status == 200


def test_a_users_manager_cannot_make_an_admin_either(api, support, customer):
    assert api.post("/users", {"name": "X", "email": "x@example.com", "password": "password123",
                               "roles": ["admin"]}, token=support.token).status == 403
    assert api.patch(f"/users/{customer.id}", {"roles": ["admin"]}, token=support.token).status == 403
    assert api.patch(f"/users/{support.id}", {"roles": ["admin"]}, token=support.token).status == 403


# --- item 4: a deactivation or deletion ends every session for good ----------------------------------
def _dead(api, account: Account) -> None:
    assert api.get("/auth/me", token=account.token).status == 401
    assert api.post("/auth/refresh", {"refresh_token": account.refresh_token}).status == 401


def test_sessions_taken_before_a_delete_stay_dead_after_the_restore(api, admin):
    user = make_account(["customer"])
    second = make_account(["customer"], email="second-session@example.com")
    assert api.delete(f"/users/{user.id}", token=admin.token).status == 200
    assert api.delete(f"/users/{second.id}", token=admin.token).status == 200
    assert api.post(f"/users/{user.id}/restore", token=admin.token).status == 200
    _dead(api, user)
    assert api.post(f"/users/{second.id}/restore", token=admin.token).status == 200
    assert api.post("/auth/refresh", {"refresh_token": second.refresh_token}).status == 401  # refresh first
    fresh = api.post("/auth/login", {"email": user.email, "password": user.password})
    assert fresh.status == 200 and api.get("/auth/me", token=fresh.data["access_token"]).status == 200


def test_sessions_taken_before_a_deactivation_stay_dead_after_reactivation(api, admin):
    user = make_account(["customer"])
    assert api.patch(f"/users/{user.id}", {"is_active": False}, token=admin.token).status == 200
    assert api.put(f"/users/{user.id}", {"name": "Back", "email": user.email, "is_active": True},
                   token=admin.token).status == 200
    _dead(api, user)
    assert api.post("/auth/login", {"email": user.email, "password": user.password}).status == 200


def test_a_profile_edit_or_a_no_op_deactivation_keeps_the_sessions(api, admin):
    user = make_account(["customer"])
    assert api.patch(f"/users/{user.id}", {"name": "Renamed", "is_active": True}, token=admin.token).status == 200
    assert api.get("/auth/me", token=user.token).status == 200


# --- item 5: one's own e-mail needs the current password and ends the sessions -----------------------
@pytest.mark.parametrize("method", ["patch", "put"])
def test_changing_ones_own_email_needs_the_current_password(api, method):
    user = make_account(["customer"])
    send = getattr(api, method)
    body = {"email": "moved@example.com"} | ({"name": "Test User"} if method == "put" else {})
    missing = send(f"/users/{user.id}", body, token=user.token)
    assert missing.status == 422 and list(missing.errors) == ["current_password"]
    wrong = send(f"/users/{user.id}", {**body, "current_password": "not-it-at-all"}, token=user.token)
    assert wrong.status == 422 and list(wrong.errors) == ["current_password"]
    assert api.get(f"/users/{user.id}", token=user.token).data["email"] == user.email  # nothing changed
    # The same address in another case is no change: nothing to prove.
    same = send(f"/users/{user.id}", {**body, "email": user.email.upper()}, token=user.token)
    assert same.status == 200


def test_an_email_change_logs_out_every_session_the_callers_included(api):
    user = make_account(["customer"])
    other = api.post("/auth/login", {"email": user.email, "password": user.password}).data
    reply = api.patch(f"/users/{user.id}", {"email": "moved@example.com", "current_password": user.password},
                      token=user.token)
    assert reply.status == 200 and reply.data["email"] == "moved@example.com"
    _dead(api, user)
    assert api.get("/auth/me", token=other["access_token"]).status == 401
    assert api.post("/auth/refresh", {"refresh_token": other["refresh_token"]}).status == 401
    assert api.post("/auth/login", {"email": "moved@example.com", "password": user.password}).status == 200


def test_an_admin_changes_someone_elses_email_without_their_password_and_ends_their_sessions(api, admin):
    user = make_account(["customer"])
    reply = api.patch(f"/users/{user.id}", {"email": "reassigned@example.com"}, token=admin.token)
    assert reply.status == 200
    _dead(api, user)
    assert api.get("/auth/me", token=admin.token).status == 200
