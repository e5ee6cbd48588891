"""Hostile input through the HTTP surface: bounded JSON (depth, numbers), forged cursors, invisible characters,
look-alike e-mails. Every refusal is a 400 or 422 in the envelope, never a 500."""
from __future__ import annotations

import pytest

from tests.catalog_builders import make_category, make_product


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
        make_product(api, admin.token, category["id"])
    for path in ("/products", "/stores", "/roles"):
        first = api.get(f"{path}?per_page=1", token=admin.token)
        scope = _scope_of(first.json["meta"]["next_cursor"]) if first.json["meta"]["next_cursor"] else path[1:]
        reply = api.get(f"{path}?per_page=1&cursor={_forged({'s': scope, **inner})}", token=admin.token)
        _refused(reply, 422)
        assert "cursor" in reply.errors
