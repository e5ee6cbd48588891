"""Authentication seen from a client: register, login, refresh, logout, me, and what revokes a token."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import make_account


def register_body(email: str = "new@example.com", password: str = "password123", **extra: str) -> dict:
    return {"name": "New User", "email": email, "password": password, "password_confirmation": password, **extra}


def assert_token_pair(data: dict) -> None:
    assert data["token_type"] == "Bearer"
    assert data["expires_in"] == 900
    assert data["access_token"].count(".") == 2
    assert data["refresh_token"]
    assert "password" not in data["user"] and "password_hash" not in data["user"]


# --- register ------------------------------------------------------------------------------------
def test_register_creates_a_customer_and_logs_it_in(api):
    reply = api.post("/auth/register", register_body(email="Jane.Doe@Example.com"))
    assert reply.status == 201
    assert reply.json["success"] is True
    assert reply.json["message"] == "Inscription réussie"
    assert_token_pair(reply.data)
    user = reply.data["user"]
    assert user["email"] == "jane.doe@example.com"
    assert user["roles"] == ["customer"]
    assert user["is_active"] is True and user["deleted_at"] is None
    assert user["created_at"].endswith("Z")
    assert reply.calls == ["TransactWriteItems"]
    me = api.get("/auth/me", token=reply.data["access_token"])
    assert me.status == 200 and me.data["id"] == user["id"]


def test_register_validation_messages_in_french_and_english(api):
    body = {"name": "", "email": "not-an-email", "password": "short", "password_confirmation": "other"}
    french = api.post("/auth/register", body)
    assert french.status == 422
    assert french.json["error"] == "Validation échouée"
    assert set(french.errors) >= {"name", "email", "password"}
    assert french.errors["email"] == ["L'adresse e-mail n'est pas valide."]
    assert "au moins 8" in french.errors["password"][0]
    english = api.post("/auth/register", body, headers={"Accept-Language": "en"})
    assert english.status == 422
    assert english.json["error"] == "Validation failed"
    assert english.errors["email"] == ["The e-mail address is not valid."]
    assert "at least 8" in english.errors["password"][0]


def test_register_refuses_a_confirmation_that_differs(api):
    reply = api.post("/auth/register", {**register_body(), "password_confirmation": "password124"},
                     headers={"Accept-Language": "en"})
    assert reply.status == 422
    assert reply.errors == {"password_confirmation": ["The password confirmation does not match."]}


def test_register_refuses_unknown_fields_such_as_roles(api):
    reply = api.post("/auth/register", register_body(roles="admin"))
    assert reply.status == 422
    assert "roles" in reply.errors


def test_register_keeps_the_password_byte_for_byte(api):
    api.post("/auth/register", register_body(email="space@example.com", password="  spaced pass  "))
    assert api.post("/auth/login", {"email": "space@example.com", "password": "spaced pass"}).status == 401
    assert api.post("/auth/login", {"email": "space@example.com", "password": "  spaced pass  "}).status == 200


def test_register_with_a_taken_email_is_422_whatever_its_case(api):
    assert api.post("/auth/register", register_body(email="taken@example.com")).status == 201
    reply = api.post("/auth/register", register_body(email="TAKEN@example.com"), headers={"Accept-Language": "en"})
    assert reply.status == 422
    assert reply.json["error"] == "Validation failed"
    assert reply.errors == {"email": ["This e-mail address is already taken."]}


def test_ten_parallel_registrations_with_one_email_make_exactly_one_account(api, admin):
    variants = ["race@example.com", "Race@example.com", "RACE@EXAMPLE.COM", "race@Example.com", "rAce@example.com"] * 2
    with ThreadPoolExecutor(max_workers=10) as pool:
        replies = list(pool.map(lambda email: api.post("/auth/register", register_body(email=email)), variants))
    statuses = sorted(reply.status for reply in replies)
    assert statuses == [201] + [422] * 9
    listed = api.get("/users?per_page=100", token=admin.token)
    assert [u["email"] for u in listed.data].count("race@example.com") == 1
    assert listed.json["meta"]["total"] == 2  # the admin and the one winner


# --- login ---------------------------------------------------------------------------------------
def test_login_answers_the_user_and_a_token_pair(api):
    account = make_account(["staff"], email="staff.login@example.com")
    reply = api.post("/auth/login", {"email": "Staff.Login@example.com", "password": account.password})
    assert reply.status == 200
    assert reply.json["message"] == "Connexion réussie"
    assert_token_pair(reply.data)
    assert reply.data["user"]["roles"] == ["staff"]
    assert len(reply.calls) <= 3
    assert api.get("/auth/me", token=reply.data["access_token"]).status == 200


def test_wrong_password_and_unknown_email_get_the_same_401(api):
    account = make_account(["customer"])
    wrong = api.post("/auth/login", {"email": account.email, "password": "wrong-password"})
    unknown = api.post("/auth/login", {"email": "nobody@example.com", "password": "wrong-password"})
    assert wrong.status == unknown.status == 401
    assert wrong.json == unknown.json == {"success": False, "error": "Identifiants invalides"}
    english = api.post("/auth/login", {"email": "nobody@example.com", "password": "x"}, headers={"Accept-Language": "en"})
    assert english.json["error"] == "Invalid credentials"
    assert len(wrong.calls) <= 3 and len(unknown.calls) <= 3


def test_a_deleted_or_inactive_account_cannot_log_in(api, admin):
    gone = make_account(["customer"])
    inactive = make_account(["customer"])
    assert api.delete(f"/users/{gone.id}", token=admin.token).status == 200
    assert api.patch(f"/users/{inactive.id}", {"is_active": False}, token=admin.token).status == 200
    for account in (gone, inactive):
        reply = api.post("/auth/login", {"email": account.email, "password": account.password})
        assert reply.status == 401
        assert reply.json["error"] == "Identifiants invalides"


# --- refresh -------------------------------------------------------------------------------------
def test_refresh_rotates_the_pair_and_spends_the_old_refresh_token(api):
    account = make_account(["customer"])
    first = api.post("/auth/refresh", {"refresh_token": account.refresh_token})
    assert first.status == 200
    assert_token_pair(first.data)
    assert first.data["refresh_token"] != account.refresh_token
    assert len(first.calls) <= 2
    assert api.get("/auth/me", token=first.data["access_token"]).status == 200
    second = api.post("/auth/refresh", {"refresh_token": first.data["refresh_token"]})
    assert second.status == 200


def test_reusing_a_spent_refresh_token_revokes_the_whole_session(api):
    account = make_account(["customer"])
    rotated = api.post("/auth/refresh", {"refresh_token": account.refresh_token}).data
    replay = api.post("/auth/refresh", {"refresh_token": account.refresh_token})
    assert replay.status == 401
    assert replay.json["error"] == "Jeton de rafraîchissement invalide ou expiré"
    # The thief's replay killed the session: the legitimate holder's newer tokens die with it.
    assert api.post("/auth/refresh", {"refresh_token": rotated["refresh_token"]}).status == 401
    assert api.get("/auth/me", token=rotated["access_token"]).status == 401
    assert api.get("/auth/me", token=account.token).status == 401
    # Other sessions of the same user live on.
    other = api.post("/auth/login", {"email": account.email, "password": account.password})
    assert api.get("/auth/me", token=other.data["access_token"]).status == 200


def test_two_parallel_refreshes_with_one_token_never_both_succeed(api):
    account = make_account(["customer"])
    with ThreadPoolExecutor(max_workers=2) as pool:
        replies = list(pool.map(lambda _: api.post("/auth/refresh", {"refresh_token": account.refresh_token}), range(2)))
    # Exactly one wins; the other either loses the conditional update or finds the token spent: both revoke
    # the session (docs/decisions.md, refresh tokens), so even the winner's new refresh token is dead.
    assert sorted(reply.status for reply in replies) == [200, 401]
    winner = next(reply for reply in replies if reply.status == 200)
    assert api.post("/auth/refresh", {"refresh_token": winner.data["refresh_token"]}).status == 401


@pytest.mark.parametrize("token", ["garbage", "a.b", "a.b.c", "x" * 301, ""])
def test_malformed_or_unknown_refresh_tokens_are_refused(api, token):
    reply = api.post("/auth/refresh", {"refresh_token": token})
    assert reply.status in (401, 422)
    assert reply.json["success"] is False


def test_a_forged_secret_on_a_real_session_is_refused_without_revoking_it(api):
    account = make_account(["customer"])
    user_id, session_id, _ = account.refresh_token.split(".")
    assert api.post("/auth/refresh", {"refresh_token": f"{user_id}.{session_id}.forged"}).status == 401
    assert api.post("/auth/refresh", {"refresh_token": account.refresh_token}).status == 200


# --- logout and me -------------------------------------------------------------------------------
def test_logout_kills_the_sessions_access_and_refresh_tokens_at_once(api):
    account = make_account(["customer"])
    other = api.post("/auth/login", {"email": account.email, "password": account.password}).data
    reply = api.post("/auth/logout", token=account.token)
    assert reply.status == 200
    assert reply.json == {"success": True, "data": None, "message": "Déconnexion réussie"}
    assert len(reply.calls) <= 2
    assert api.get("/auth/me", token=account.token).status == 401
    assert api.post("/auth/refresh", {"refresh_token": account.refresh_token}).status == 401
    assert api.get("/auth/me", token=other["access_token"]).status == 200  # another session is untouched


def test_logout_and_me_need_a_token(api):
    assert api.post("/auth/logout").status == 401
    reply = api.get("/auth/me")
    assert reply.status == 401
    assert reply.json == {"success": False, "error": "Non authentifié"}


def test_me_gives_roles_and_effective_permissions(api, manager):
    reply = api.get("/auth/me", token=manager.token)
    assert reply.status == 200
    assert reply.data["roles"] == ["manager"]
    assert "users.view" in reply.data["permissions"] and "users.update" not in reply.data["permissions"]
    assert reply.data["permissions"] == sorted(reply.data["permissions"])
    assert "password" not in reply.data and "password_hash" not in reply.data
    assert reply.calls == ["BatchGetItem"]
    assert reply.headers["etag"]


def test_me_includes_permissions_of_custom_roles(api, admin):
    assert api.post("/roles", {"name": "auditor", "permissions": ["users.view", "roles.view"]},
                    token=admin.token).status == 201
    auditor = make_account(["auditor", "customer"])
    reply = api.get("/auth/me", token=auditor.token)
    assert reply.data["roles"] == ["auditor", "customer"]
    assert {"users.view", "roles.view", "products.view"} <= set(reply.data["permissions"])
    assert api.get("/users", token=auditor.token).status == 200


def test_identity_routes_are_in_the_openapi_document(api):
    from openapi_spec_validator import validate

    document = api.get("/openapi.json").json
    validate(document)
    for path in ("/auth/register", "/auth/login", "/auth/refresh", "/auth/logout", "/auth/me", "/roles",
                 "/roles/{role_id}", "/permissions", "/users", "/users/{user_id}", "/users/{user_id}/restore",
                 "/addresses", "/addresses/{address_id}"):
        assert path in document["paths"], path
    patch = document["components"]["schemas"]["UserPatch"]["properties"]
    assert "password" in patch and "null" not in str(patch["name"])


def test_a_session_past_its_lifetime_cannot_refresh(api):
    """DynamoDB's TTL deletes expired items late (up to days): refresh checks `expires_at` itself."""
    import time

    from chalicelib.core import keys
    from chalicelib.identity.models import SessionItem

    account = make_account(["customer"])
    user_id, session_id, _ = account.refresh_token.split(".")
    SessionItem.get(*keys.session_key(user_id, session_id)).update(
        actions=[SessionItem.expires_at.set(int(time.time()) - 1)])
    assert api.post("/auth/refresh", {"refresh_token": account.refresh_token}).status == 401


def test_sessions_remember_a_bounded_number_of_spent_tokens(api):
    from chalicelib.core import keys
    from chalicelib.identity.models import SessionItem
    from chalicelib.identity.services.auth import SPENT_HASHES_KEPT

    account = make_account(["customer"])
    token = account.refresh_token
    for _ in range(SPENT_HASHES_KEPT + 2):
        token = api.post("/auth/refresh", {"refresh_token": token}).data["refresh_token"]
    user_id, session_id, _ = token.split(".")
    session = SessionItem.get(*keys.session_key(user_id, session_id))
    assert len(session.spent_hashes) == SPENT_HASHES_KEPT
    # The oldest token is forgotten: refused, but no longer recognised as a replay, so the session lives on.
    assert api.post("/auth/refresh", {"refresh_token": account.refresh_token}).status == 401
    assert api.post("/auth/refresh", {"refresh_token": token}).status == 200


def test_a_register_retried_with_its_idempotency_key_answers_the_account_and_working_tokens(api, admin):
    headers = {"Idempotency-Key": "signup-1"}
    first = api.post("/auth/register", register_body(email="retry@example.com"), headers=headers)
    again = api.post("/auth/register", register_body(email="retry@example.com"), headers=headers)
    assert first.status == again.status == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.data["user"] == first.data["user"]
    assert again.data["access_token"] != first.data["access_token"]
    for data in (first.data, again.data):
        assert api.get("/auth/me", token=data["access_token"]).status == 200
    other = api.post("/auth/register", register_body(email="retry@example.com", password="different-pass"),
                     headers=headers)
    assert other.status == 422
    assert api.get("/users?per_page=100", token=admin.token).json["meta"]["total"] == 2


def test_passwords_and_tokens_never_reach_the_logs(api, capsys):
    secret = "very-secret-password-42"
    registered = api.post("/auth/register", register_body(email="quiet@example.com", password=secret))
    api.post("/auth/login", {"email": "quiet@example.com", "password": secret + "x"})
    api.post("/auth/refresh", {"refresh_token": registered.data["refresh_token"]})
    logged = capsys.readouterr()
    text = logged.out + logged.err
    assert '"status": 201' in text  # the request lines were written
    for leaked in (secret, registered.data["access_token"], registered.data["refresh_token"].split(".")[2]):
        assert leaked not in text
