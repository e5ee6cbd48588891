"""Access tokens: forgeries are refused, and what must void a user's tokens does so at once."""
from __future__ import annotations

import time

import jwt
import pytest

from tests.conftest import make_account

SIGNING_KID, SIGNING_SECRET = "k2", "test-signing-key-two-0123456789abcdef0123"
OLDER_KID, OLDER_SECRET = "k1", "test-signing-key-one-0123456789abcdef0123"


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def forge(claims: dict, *, secret: str = SIGNING_SECRET, kid: str | None = SIGNING_KID, algorithm: str = "HS256") -> str:
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(claims, secret, algorithm=algorithm, headers=headers)


def test_a_genuine_token_carries_the_contract_claims(api, customer):
    header = jwt.get_unverified_header(customer.token)
    assert header["alg"] == "HS256" and header["kid"] == SIGNING_KID
    claims = claims_of(customer.token)
    assert {"sub", "roles", "sid", "jti", "iat", "nbf", "exp", "iss", "aud"} <= set(claims)
    assert claims["exp"] - claims["iat"] == 900
    assert claims["sub"] == customer.id and claims["roles"] == ["customer"]


def test_a_token_signed_with_an_older_key_still_works(api, customer):
    """Keys rotate: tokens signed with any configured key verify until that key is dropped."""
    token = forge(claims_of(customer.token), secret=OLDER_SECRET, kid=OLDER_KID)
    assert api.get("/auth/me", token=token).status == 200


def test_the_same_claims_resigned_with_the_right_key_pass(api, customer):
    """Control for the forgery tests below: only the tampered part makes them fail."""
    assert api.get("/auth/me", token=forge(claims_of(customer.token))).status == 200


@pytest.mark.parametrize("tamper", [
    pytest.param(lambda c: forge(c, secret="another-secret-of-enough-length-0123456789"), id="wrong-key"),
    pytest.param(lambda c: forge(c, kid="k9"), id="unknown-kid"),
    pytest.param(lambda c: forge(c, kid=None), id="no-kid"),
    pytest.param(lambda c: forge({**c, "exp": int(time.time()) - 60}), id="expired"),
    pytest.param(lambda c: forge({**c, "nbf": int(time.time()) + 600}), id="not-yet-valid"),
    pytest.param(lambda c: forge({**c, "aud": "someone-else"}), id="wrong-audience"),
    pytest.param(lambda c: forge({**c, "iss": "evil-issuer"}), id="wrong-issuer"),
    pytest.param(lambda c: forge({k: v for k, v in c.items() if k != "sid"}), id="missing-claim"),
    pytest.param(lambda c: forge({**c, "roles": ["admin"]}), id="roles-not-the-users"),
    pytest.param(lambda c: forge({**c, "sid": "no-such-session"}), id="unknown-session"),
    pytest.param(lambda c: forge(c, secret=SIGNING_SECRET, algorithm="HS512"), id="other-algorithm",
                 marks=pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")),
    pytest.param(lambda c: jwt.encode(c, None, algorithm="none", headers={"kid": SIGNING_KID}), id="alg-none"),
    pytest.param(lambda c: "not.a.jwt", id="garbage"),
])
def test_forged_tokens_are_refused(api, customer, tamper):
    reply = api.get("/auth/me", token=tamper(claims_of(customer.token)))
    assert reply.status == 401
    assert reply.json == {"success": False, "error": "Non authentifié"}
    assert len(reply.calls) <= 1


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer ", "token-without-scheme"])
def test_malformed_authorization_headers_are_401(api, header):
    reply = api.get("/auth/me", headers={"Authorization": header})
    assert reply.status == 401
    assert reply.calls == []


def test_a_password_change_voids_every_token_and_session(api, admin):
    account = make_account(["customer"])
    second = api.post("/auth/login", {"email": account.email, "password": account.password}).data
    assert api.patch(f"/users/{account.id}", {"password": "brand-new-pass"}, token=admin.token).status == 200
    for token in (account.token, second["access_token"]):
        assert api.get("/auth/me", token=token).status == 401
    for refresh in (account.refresh_token, second["refresh_token"]):
        assert api.post("/auth/refresh", {"refresh_token": refresh}).status == 401
    fresh = api.post("/auth/login", {"email": account.email, "password": "brand-new-pass"})
    assert fresh.status == 200
    assert api.get("/auth/me", token=fresh.data["access_token"]).status == 200


def test_changing_ones_own_password_needs_the_current_one_and_then_logs_out_everywhere(api):
    account = make_account(["customer"])
    missing = api.patch(f"/users/{account.id}", {"password": "brand-new-pass"}, token=account.token,
                        headers={"Accept-Language": "en"})
    assert missing.status == 422
    assert missing.errors == {"current_password": ["The current password is required to change your own."]}
    wrong = api.patch(f"/users/{account.id}", {"password": "brand-new-pass", "current_password": "nope-nope"},
                      token=account.token)
    assert wrong.status == 422
    assert wrong.errors == {"current_password": ["Le mot de passe actuel est incorrect."]}
    assert api.get("/auth/me", token=account.token).status == 200  # nothing changed yet
    done = api.patch(f"/users/{account.id}", {"password": "brand-new-pass", "current_password": account.password},
                     token=account.token)
    assert done.status == 200
    assert api.get("/auth/me", token=account.token).status == 401
    assert api.post("/auth/login", {"email": account.email, "password": account.password}).status == 401
    assert api.post("/auth/login", {"email": account.email, "password": "brand-new-pass"}).status == 200


def test_a_change_of_roles_voids_the_users_access_tokens_but_a_refresh_gets_the_new_roles(api, admin):
    account = make_account(["customer"])
    assert api.patch(f"/users/{account.id}", {"roles": ["staff"]}, token=admin.token).status == 200
    assert api.get("/auth/me", token=account.token).status == 401
    refreshed = api.post("/auth/refresh", {"refresh_token": account.refresh_token})
    assert refreshed.status == 200
    assert claims_of(refreshed.data["access_token"])["roles"] == ["staff"]
    me = api.get("/auth/me", token=refreshed.data["access_token"])
    assert me.status == 200 and me.data["roles"] == ["staff"]


def test_deleting_a_user_voids_its_tokens_and_refresh_tokens(api, admin):
    account = make_account(["customer"])
    assert api.delete(f"/users/{account.id}", token=admin.token).status == 200
    assert api.get("/auth/me", token=account.token).status == 401
    assert api.post("/auth/refresh", {"refresh_token": account.refresh_token}).status == 401


def test_deactivating_a_user_voids_its_tokens(api, admin):
    account = make_account(["customer"])
    assert api.patch(f"/users/{account.id}", {"is_active": False}, token=admin.token).status == 200
    assert api.get("/auth/me", token=account.token).status == 401
