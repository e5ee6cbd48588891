"""The OpenAPI document is a typed contract: every success names its model, schema names are unique and readable,
the envelope's fields are required (what generated clients need to type `data`)."""
from __future__ import annotations

import re
from typing import Any


def _document(api: Any) -> dict[str, Any]:
    reply = api.get("/openapi.json")
    assert reply.status == 200
    return reply.json


def _successes(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(f"{method.upper()} {path}", code, response["content"]["application/json"]["schema"])
            for path, operations in doc["paths"].items() for method, operation in operations.items()
            for code, response in operation["responses"].items() if code.startswith("2")]


def _names_a_model(schema: dict[str, Any]) -> bool:
    if "$ref" in schema:
        return True
    return schema.get("type") == "array" and "$ref" in schema.get("items", {})


def test_every_success_response_names_a_model(api):
    doc = _document(api)
    untyped = []
    for operation, code, schema in _successes(doc):
        data = schema["properties"]["data"] if "properties" in schema else schema  # raw: the body itself
        if not (_names_a_model(data) or data == {"type": "null"}):
            untyped.append((operation, code, data))
    assert untyped == []


def test_deletes_say_data_is_null_and_reads_name_their_model(api):
    doc = _document(api)
    by_operation = {operation: schema for operation, _, schema in _successes(doc)}
    assert by_operation["DELETE /products/{product_id}"]["properties"]["data"] == {"type": "null"}
    product = by_operation["GET /products/{product_id}"]["properties"]["data"]
    assert product == {"$ref": "#/components/schemas/ProductDetail"}
    detail = doc["components"]["schemas"]["ProductDetail"]["properties"]
    assert "variants" in detail and "stores" in detail


def test_schema_names_are_unique_and_readable(api):
    names = list(_document(api)["components"]["schemas"])
    assert [name for name in names if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name)] == []
    assert "StoreAddressOut" in names and "AddressOut" in names


def test_the_envelope_requires_success_and_data(api):
    for operation, _, schema in _successes(_document(api)):
        if "properties" in schema and "success" in schema["properties"]:
            assert {"success", "data"} <= set(schema["required"]), operation
