"""The contract as a client sees it: shared headers, undeclared methods, the unknown route's language, the
OpenAPI document agreeing with what the code answers and enforces, PATCH on roles, products by slug."""
from __future__ import annotations

import jsonschema
import pytest

from tests.builders import make_product


def _document(api) -> dict:
    return api.get("/openapi.json").json


def _success_schema(document: dict, method: str, path: str) -> dict:
    responses = document["paths"][path][method]["responses"]
    code = next(c for c in responses if c.startswith("2"))
    return {**responses[code]["content"]["application/json"]["schema"], "components": document["components"]}


# --- item 11: headers of the shared pipeline ---------------------------------------------------------------
def test_security_and_cache_headers_on_every_kind_of_answer(api, admin):
    login = api.post("/auth/login", json={"email": admin.email, "password": admin.password})
    refresh = api.post("/auth/refresh", json={"refresh_token": login.data["refresh_token"]})
    register = api.post("/auth/register", json={"name": "Zed", "email": "zed@example.com", "password": "Secret123!",
                                                "password_confirmation": "Secret123!"})
    me = api.get("/auth/me", token=admin.token)
    failed = api.post("/auth/login", json={"email": admin.email, "password": "wrong-password"})
    for reply in (login, refresh, register, me, failed, api.get("/users", token=admin.token)):
        assert reply.headers["cache-control"] == "no-store", reply.headers
    public = api.get("/health")
    assert public.headers["cache-control"] == "no-cache"  # anonymous reads revalidate (ETag), never go stale
    for reply in (login, me, failed, public, api.get("/nope/nothing"), api.request("DELETE", "/health")):
        assert reply.headers["x-content-type-options"] == "nosniff", reply.headers
        assert reply.headers["strict-transport-security"].startswith("max-age=31536000")
    for reply in (me, public, failed):
        assert {"Authorization", "Accept-Language"} <= {v.strip() for v in reply.headers["vary"].split(",")}
    cors = api.get("/health", headers={"Origin": "http://127.0.0.1:3000"})
    assert {v.strip() for v in cors.headers["vary"].split(",")} == {"Origin", "Authorization", "Accept-Language"}


def test_gateway_answers_of_the_deployment_carry_the_same_headers():
    from infra.gateway import GATEWAY_HEADERS, GATEWAY_RESPONSES

    assert GATEWAY_HEADERS["Strict-Transport-Security"].startswith("max-age=31536000")
    assert GATEWAY_HEADERS["X-Content-Type-Options"] == "nosniff" and GATEWAY_HEADERS["Cache-Control"] == "no-store"
    assert "MISSING_AUTHENTICATION_TOKEN" in GATEWAY_RESPONSES


# --- item 17: the unknown route follows Accept-Language -------------------------------------------------
def test_unknown_route_404_follows_accept_language(api):
    assert api.get("/nope/nothing").json == {"success": False, "error": "Route introuvable"}
    english = api.get("/nope/nothing", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert english.status == 404 and english.json == {"success": False, "error": "Route not found"}
    assert english.headers["x-content-type-options"] == "nosniff"


# --- item 14: undeclared methods (the live-server half is in tests/smoke) ---------------------------------
@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "CONNECT"])
def test_undeclared_methods_are_405_in_the_envelope(api, method):
    reply = api.request(method, "/health")
    assert reply.status == 405 and reply.json["success"] is False
    assert "GET" in reply.headers["allow"]


# --- item 15: list bodies agree with their published schemas -----------------------------------------------
def test_option_and_value_lists_conform_to_their_response_schemas(api, admin):
    document = _document(api)
    item = make_product(api, admin.token, variants=2)
    options = api.get(f"/products/{item.product_id}/options", token=admin.token)
    jsonschema.validate(options.json, _success_schema(document, "get", "/products/{product_id}/options"))
    values = api.get(f"/product-options/{options.data[0]['id']}/values", token=admin.token)
    jsonschema.validate(values.json, _success_schema(document, "get", "/product-options/{option_id}/values"))
    assert options.json["meta"]["total"] == 1 and values.json["meta"]["total"] == 2


# --- item 16: what the document forbids, the code refuses ---------------------------------------------------
_WRONG_TYPE = {"boolean": "true", "integer": "5", "string": 5, "array": "x"}


def _write_bodies(document: dict, path: str) -> dict[str, dict]:
    schemas = document["components"]["schemas"]
    bodies = {}
    for method in ("put", "patch"):
        ref = document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        bodies[method] = schemas[ref.rsplit("/", 1)[1]]
    return bodies


def _type_of(prop: dict) -> str | None:
    options = prop.get("anyOf", [prop])
    types = {o.get("type") for o in options} - {"null", None}
    return types.pop() if len(types) == 1 else None


def test_put_and_patch_refuse_every_value_their_schema_forbids(api, admin):
    document = _document(api)
    item = make_product(api, admin.token)
    product = api.get(f"/products/{item.product_id}", token=admin.token).data
    store = api.post("/stores", json={"name": "Contract"}, token=admin.token).data
    targets = {"/products/{product_id}": f"/products/{item.product_id}",
               "/product-categories/{category_id}": f"/product-categories/{product['product_category_id']}",
               "/stores/{store_id}": f"/stores/{store['id']}", "/users/{user_id}": f"/users/{admin.id}",
               "/roles/{role_id}": "/roles/nobody-holds-it"}
    api.post("/roles", json={"name": "nobody-holds-it", "permissions": []}, token=admin.token)
    for template, path in targets.items():
        for method, schema in _write_bodies(document, template).items():
            for name, prop in schema["properties"].items():
                wrong = _WRONG_TYPE.get(_type_of(prop) or "")
                if wrong is None:
                    continue
                reply = api.request(method.upper(), path, json_body={name: wrong}, token=admin.token)
                assert reply.status == 422 and name in reply.errors, (method, path, name, reply.status, reply.json)
                if "null" not in str(prop) and method == "patch":
                    nulled = api.request("PATCH", path, json_body={name: None}, token=admin.token)
                    assert nulled.status == 422, (path, name, nulled.json)  # the document shows no null: refused


# --- item 18: PATCH /roles/{id} -----------------------------------------------------------------------------
def test_patch_role_updates_only_the_given_fields(api, admin):
    created = api.post("/roles", json={"name": "editor", "description": "Edits", "permissions": ["products.view"]},
                       token=admin.token)
    assert created.status == 201
    reply = api.patch("/roles/editor", json={"permissions": ["products.view", "products.update"]}, token=admin.token)
    assert reply.status == 200, reply.json
    assert reply.data["permissions"] == ["products.update", "products.view"] and reply.data["description"] == "Edits"
    reply = api.patch("/roles/editor", json={"description": None}, token=admin.token)
    assert reply.status == 200 and reply.data["description"] is None
    assert reply.data["permissions"] == ["products.update", "products.view"]
    assert api.patch("/roles/editor", json={"permissions": None}, token=admin.token).status == 422
    assert api.patch("/roles/editor", json={"permissions": ["nope.nope"]}, token=admin.token).status == 422
    assert api.patch("/roles/editor", json={"name": "other"}, token=admin.token).status == 422
    assert api.patch("/roles/admin", json={"description": "x"}, token=admin.token).status == 403
    assert api.patch("/roles/missing", json={"description": "x"}, token=admin.token).status == 404
    etag = api.get("/roles/editor", token=admin.token).headers["etag"]
    assert api.patch("/roles/editor", json={}, token=admin.token, headers={"If-Match": '"stale"'}).status == 412
    assert api.patch("/roles/editor", json={}, token=admin.token, headers={"If-Match": etag}).status == 200
    assert "patch" in _document(api)["paths"]["/roles/{role_id}"]


def test_patch_role_needs_roles_manage(api, manager):
    assert api.patch("/roles/staff", json={"description": "x"}, token=manager.token).status == 403


# --- item 19: a soft-deleted product is gone by slug, its slug stays reserved ---------------------------------
def test_soft_deleted_product_is_not_found_by_slug_and_keeps_its_slug(api, admin):
    item = make_product(api, admin.token, name="Lampe")
    slug = api.get(f"/products/{item.product_id}", token=admin.token).data["slug"]
    assert api.get(f"/products/by-slug/{slug}", token=admin.token).status == 200
    assert api.delete(f"/products/{item.product_id}", token=admin.token).status == 200
    gone = api.get(f"/products/by-slug/{slug}", token=admin.token)
    assert gone.status == 404 and gone.json["success"] is False
    category = api.get(f"/products/{item.product_id}", token=admin.token).data["product_category_id"]
    again = api.post("/products", json={"name": "Lampe", "product_category_id": category}, token=admin.token)
    assert again.status == 201 and again.data["slug"] != slug  # still reserved by the trashed product
    assert api.post(f"/products/{item.product_id}/restore", token=admin.token).status == 200
    assert api.get(f"/products/by-slug/{slug}", token=admin.token).data["id"] == item.product_id
