"""The OpenAPI 3.1 document, generated from the route table (core.http.ROUTES) and the pydantic schemas."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.core.http import ROUTES, RouteSpec

_PARAM = re.compile(r"{([^}]+)}")
_ERRORS = {"400": "Malformed JSON", "401": "Unauthenticated", "403": "Forbidden", "404": "Not found",
           "409": "Conflict", "412": "Precondition failed", "413": "Body too large", "415": "Unsupported media type",
           "422": "Validation failed", "429": "Rate limited", "503": "Busy or backend unavailable: send again after Retry-After"}


@lru_cache(maxsize=1)
def build_document() -> dict[str, Any]:
    """Every registered route, its parameters, bodies and responses."""
    models: set[type[BaseModel]] = set()
    for spec in ROUTES:
        for model in (spec.body, spec.response):
            if model is not None:
                models.add(model)
    ordered = sorted(models, key=lambda m: (m.__module__, m.__name__))
    refs, defs = models_json_schema([(m, "validation") for m in ordered], ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = {name: _without_null_defaults(schema) for name, schema in defs.get("$defs", {}).items()}
    schemas.update(_shared_schemas())
    paths: dict[str, dict[str, Any]] = {}
    for spec in ROUTES:
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Catalog API", "version": "1.0.0",
                 "description": "Multi-store catalog API (reference: docs/api.md). Every response uses the envelope."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }


def _operation(spec: RouteSpec, refs: dict[Any, Any]) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[^/]+$"}}
        for name in _PARAM.findall(spec.path)
    ]
    if spec.query is not None:
        schema = spec.query.model_json_schema()
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            prop = {k: v for k, v in prop.items() if k != "title"}
            params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    op: dict[str, Any] = {"operationId": f"{spec.tag}_{spec.name}".replace("-", "_"), "summary": spec.summary,
                          "tags": [spec.tag], "parameters": params}
    if spec.method in ("POST", "PUT", "PATCH") and spec.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": refs[(spec.body, "validation")]}}}
    if spec.idempotent:
        params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                       "schema": {"type": "string", "maxLength": 200}})
    data: dict[str, Any] = refs[(spec.response, "validation")] if spec.response else {"type": "null"}
    if spec.many:
        data = {"type": "array", "items": data}
    paginated = spec.paginated
    required = ["success", "data"] + (["message"] if spec.has_message else [])
    if spec.raw:
        success = data
    elif paginated:
        success = {"type": "object", "required": required + ["meta"], "properties": {
            "success": {"const": True}, "data": {"type": "array", "items": data},
            "message": {"type": "string"}, "meta": {"$ref": "#/components/schemas/PageMeta"}}}
    else:
        success = {"type": "object", "required": required, "properties": {
            "success": {"const": True}, "data": data, "message": {"type": "string"}}}
    responses: dict[str, Any] = {str(spec.status): {"description": "Success",
                                                    "content": {"application/json": {"schema": success}}}}
    if spec.creates:
        responses["201"] = {"description": "Created", "content": {"application/json": {"schema": success}}}
    if spec.method == "GET" and not paginated:
        responses["304"] = {"description": "Not modified (If-None-Match)"}
    for code, text in _ERRORS.items():
        responses[code] = {"description": text, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}}
    responses["500"] = {"description": "Internal error", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}}
    op["responses"] = responses
    if not spec.public:
        op["security"] = [{"bearer": []}]
    return op


def _without_null_defaults(schema: Any) -> Any:
    """`default: null` on a field whose schema does not admit null (PATCH bodies) is invalid OpenAPI; an
    omitted field means "unchanged" there, which the description of PATCH already says."""
    if isinstance(schema, dict):
        return {k: _without_null_defaults(v) for k, v in schema.items() if not (k == "default" and v is None)}
    if isinstance(schema, list):
        return [_without_null_defaults(v) for v in schema]
    return schema


def _shared_schemas() -> dict[str, Any]:
    return {
        "ErrorEnvelope": {"type": "object", "required": ["success", "error"], "properties": {
            "success": {"const": False}, "error": {"type": "string"},
            "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}},
        "PageMeta": {"type": "object", "required": ["per_page", "current_page", "last_page", "total", "next_cursor"],
                     "properties": {"per_page": {"type": "integer"}, "current_page": {"type": "integer"},
                                    "last_page": {"type": "integer"}, "total": {"type": "integer"},
                                    "next_cursor": {"type": ["string", "null"]}}},
    }
