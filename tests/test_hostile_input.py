"""Hostile input through the HTTP surface: bounded JSON (depth, numbers), forged cursors, invisible characters,
look-alike e-mails. Every refusal is a 400 or 422 in the envelope, never a 500."""
from __future__ import annotations

import pytest

from tests.builders import make_category, make_product


def _refused(reply, *statuses: int) -> None:
    assert reply.status in (statuses or (400, 422)), (reply.status, reply.body[:300])
    assert reply.json["success"] is False and reply.json["error"]


# --- item 7: the one body parser bounds depth and numbers -----------------------------------------------
def test_deeply_nested_body_on_an_unauthenticated_route_is_400(api):
    reply = api.request("POST", "/auth/login", raw="[" * 100_000)
    _refused(reply, 400)
    reply = api.request("POST", "/auth/login", raw='{"email": ' + "[" * 40 + "]" * 40 + ', "password": "x"}',
                        headers={"Accept-Language": "en"})
    _refused(reply, 400)
    assert "nested too deeply" in reply.json["error"]


@pytest.mark.parametrize("number", ["1" * 5000, "-" + "9" * 5000, "1" * 5000 + ".5", "1e999", "NaN", "Infinity"])
def test_huge_or_non_finite_numbers_anywhere_are_400(api, admin, number):
    _refused(api.request("POST", "/auth/login", raw='{"email": "a@example.com", "password": ' + number + "}"), 400)
    category = make_category(api, admin.token)
    reply = api.request("POST", "/products", token=admin.token,
                        raw='{"name": "X", "product_category_id": "%s", "extra": [%s]}' % (category["id"], number))
    _refused(reply, 400)


def test_numbers_within_bounds_still_reach_validation(api, admin):
    category = make_category(api, admin.token)
    reply = api.patch(f"/product-categories/{category['id']}", json={"position": 10**30}, token=admin.token)
    assert reply.status == 422 and "position" in reply.errors


def _forged(state: dict) -> str:
    from chalicelib.core.pagination import encode_cursor

    return encode_cursor(state)  # signed with the stage's key, as an attacker who knows it would


def _scope_of(cursor: str) -> str:
    import base64
    import json

    body = cursor.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["s"]


@pytest.mark.parametrize("inner", [
    {"k": "not-a-key", "p": 2, "t": 3},
    {"k": {"pk": {"S": "X"}, "sk": {"N": "1"}}, "p": 2, "t": 3},
    {"k": {"pk": {"S": "X"}, "sk": {"S": "Y"}}, "p": "two", "t": 3},
    {"k": {"pk": {"S": "X"}, "sk": {"S": "Y"}}, "p": 2, "t": [1]},
    {"k": {"pk": {"S": "X"}, "sk": {"S": "Y"}, "bogus": {"S": "Z"}}, "p": 2, "t": 3},
    {"k": {"pk": {"S": "X"}, "sk": {"S": "Y"}}, "p": 2, "t": 3},  # right shape, but not the list's index keys
])
def test_forged_cursor_with_bad_inner_fields_is_422(api, admin, inner):
    category = make_category(api, admin.token)
    for _ in range(2):
        make_product(api, admin.token, category_id=category["id"], variants=0).data
    for path in ("/products", "/stores", "/roles"):
        first = api.get(f"{path}?per_page=1", token=admin.token)
        scope = _scope_of(first.json["meta"]["next_cursor"]) if first.json["meta"]["next_cursor"] else path[1:]
        reply = api.get(f"{path}?per_page=1&cursor={_forged({'s': scope, **inner})}", token=admin.token)
        _refused(reply, 422)
        assert "cursor" in reply.errors


# --- item 8: one normal form, nothing invisible, in every text field (schemas' Input base) ------------
INVISIBLE = ["\u200b", "\u202e", "\x00", "\ufeff", "\u2028", "\u3164", "\ud800"]


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_and_control_characters_are_refused_in_every_text_field(api, admin, char):
    category = make_category(api, admin.token)
    product = make_product(api, admin.token, category_id=category["id"], variants=0).data
    attempts = [
        ("POST", "/product-categories", {"name": f"Chaussures{char}"}, "name"),
        ("POST", "/products", {"name": f"a{char}b", "product_category_id": category["id"]}, "name"),
        ("PATCH", f"/products/{product['id']}", {"description": f"ok{char}"}, "description"),
        ("POST", f"/products/{product['id']}/options", {"name": f"Taille{char}"}, "name"),
        ("POST", "/stores", {"name": "Shop", "address": {"line1": f"1 rue{char}", "city": "Paris",
                                                          "postal_code": "75001", "country": "FR"}}, "address.line1"),
        ("POST", "/files", {"filename": f"photo{char}.jpg", "content_type": "image/jpeg", "size": 10}, "filename"),
        ("POST", "/auth/register", {"name": "Eve", "email": f"eve{char}@example.com", "password": "Secret123!",
                                    "password_confirmation": "Secret123!"}, "email"),
        ("POST", "/users", {"name": f"{char}Mallory", "email": "m@example.com", "password": "Secret123!"}, "name"),
    ]
    for method, path, body, field in attempts:
        reply = api.request(method, path, json_body=body, token=admin.token, headers={"Accept-Language": "en"})
        _refused(reply, 422)
        assert field in reply.errors, (path, reply.errors)


def test_names_made_only_of_zero_width_characters_are_refused(api, admin):
    reply = api.post("/product-categories", json={"name": "\u200b\u200c\u200d\u2060"}, token=admin.token)
    _refused(reply, 422)
    assert "name" in reply.errors
    reply = api.post("/product-categories", json={"name": "\u3000\u00a0"}, token=admin.token)  # spaces once NFKC'd
    _refused(reply, 422)


def test_text_is_stored_in_nfkc_and_descriptions_keep_line_breaks(api, admin):
    reply = api.post("/product-categories", json={"name": "Ｃａｆé", "description": "ligne 1\r\nligne 2\tfin"},
                     token=admin.token)
    assert reply.status == 201, reply.json
    assert reply.data["name"] == "Café" and reply.data["description"] == "ligne 1\nligne 2\tfin"
    assert api.post("/product-categories", json={"name": "a\nb"}, token=admin.token).status == 422


def test_passwords_are_taken_verbatim(api):
    body = {"name": "Zoé", "email": "zoe@example.com", "password": "Ｓecret\u200b123!",
            "password_confirmation": "Ｓecret\u200b123!"}
    assert api.post("/auth/register", json=body).status == 201
    assert api.post("/auth/login", json={"email": "zoe@example.com", "password": "Ｓecret\u200b123!"}).status == 200
    assert api.post("/auth/login", json={"email": "zoe@example.com", "password": "Secret123!"}).status == 401


@pytest.mark.parametrize("email", ["eve@exаmple.com",  # Cyrillic а in the domain
                                   "аdmin@example.com",  # Cyrillic а in the local part
                                   "zoé@example.com",  # the local part is ASCII only
                                   "eve@xn--exmple-4nf.com",  # the same mixed-script label, sent as an A-label
                                   "eve@exam\u200bple.com", "a..b@example.com", "eve@-example.com"])
def test_look_alike_and_non_ascii_local_e_mails_are_refused(api, email):
    body = {"name": "Eve", "email": email, "password": "Secret123!", "password_confirmation": "Secret123!"}
    reply = api.post("/auth/register", json=body)
    _refused(reply, 422)
    assert "email" in reply.errors


def test_international_domains_are_stored_as_their_idna_a_label(api):
    body = {"name": "Hans", "email": "Hans@Bücher.de", "password": "Secret123!", "password_confirmation": "Secret123!"}
    reply = api.post("/auth/register", json=body)
    assert reply.status == 201, reply.json
    assert reply.data["user"]["email"] == "hans@xn--bcher-kva.de"
    same = api.post("/auth/register", json={**body, "email": "hans@xn--bcher-kva.de"})
    assert same.status == 422 and "email" in same.errors  # one mailbox, one spelling: taken
    assert api.post("/auth/login", json={"email": "HANS@bücher.de", "password": "Secret123!"}).status == 200


def test_integral_numbers_written_with_a_fraction_are_integers_as_json_schema_says(api, admin):
    category = make_category(api, admin.token)
    reply = api.request("PATCH", f"/product-categories/{category['id']}", raw='{"position": 7.0}', token=admin.token)
    assert reply.status == 200 and reply.data["position"] == 7
    reply = api.request("PATCH", f"/product-categories/{category['id']}", raw='{"position": 7.5}', token=admin.token)
    assert reply.status == 422 and "position" in reply.errors
