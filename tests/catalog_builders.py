"""Builders for catalog test data through the HTTP surface."""
from __future__ import annotations

import itertools
from typing import Any

_seq = itertools.count(1)


def make_category(api: Any, token: str, **fields: Any) -> dict:
    body = {"name": f"Catégorie {next(_seq)}", **fields}
    reply = api.post("/product-categories", json=body, token=token)
    assert reply.status == 201, reply.json
    return reply.data


def make_product(api: Any, token: str, category_id: str, **fields: Any) -> dict:
    body = {"name": f"Produit {next(_seq)}", "product_category_id": category_id, **fields}
    reply = api.post("/products", json=body, token=token)
    assert reply.status == 201, reply.json
    return reply.data
