"""HTTP routes of a product's variants.

Writes answer the resource's own fields; `If-Match` is accepted with the ETag of either that
representation or the full one GET renders (reading the latter only when the former does not match).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint

from chalicelib.catalog import messages as msg
from chalicelib.catalog.products.schemas import (
    VariantCreate,
    VariantFields,
    VariantOut,
    VariantPatch,
    VariantReadQuery,
)
from chalicelib.core.concurrency import guarded_write, require_match_either
from chalicelib.core.http import Req, route
from chalicelib.core.lazy import lazy_import
from chalicelib.core.pagination import Page, PageQuery, paginate
from chalicelib.core.schemas import patch_changes

variants = lazy_import("chalicelib.catalog.variants.services")
render = lazy_import("chalicelib.catalog.products.render")

bp = Blueprint(__name__)


# --- variants ---------------------------------------------------------------------------------------
def variant_out(variant_id: str) -> dict[str, Any]:
    return render.variant_fields(variants.get_variant(variant_id))


def _full_variant(variant_id: str, sees_inactive: bool, sees_inactive_stores: bool,
                  store_id: str | None = None) -> dict[str, Any]:
    """The variant read: base prices and its overrides, or (`store_id`) its effective price in that store."""
    from chalicelib.core import keys  # PynamoDB-free, but kept off the import path like the list's

    found = variants.read_variant(variant_id, sees_inactive=sees_inactive, sees_inactive_stores=sees_inactive_stores,
                                  store_id=store_id)
    attached = bool(store_id) and keys.product_store_key(found.variant.product_id, str(store_id)) in found.raw
    context = render.store_context(store_id, found.raw, attached=attached, sees_inactive_stores=sees_inactive_stores)
    return render.variant_out(found.variant, found.stock, found.raw, overrides=found.prices, context=context,
                              list_prices=True).model_dump(mode="json")


@route(bp, "GET", "/products/{product_id}/variants", summary="List a product's variants with stock and gallery",
       query=PageQuery, response=VariantOut, permission="product_variants.view")
def list_variants(req: Req, product_id: str) -> Page:
    from chalicelib.catalog.links.policies import shown_stock, stock_store_keys  # PynamoDB: not at import
    from chalicelib.core import keys
    from chalicelib.core.batch import batch_read

    sees_inactive = req.principal.sees_inactive_catalog
    found = variants.list_variants(product_id, sees_inactive=sees_inactive)

    def rows(limit: int, start_key: dict[str, Any] | None) -> list[Any]:
        after = start_key["sk"]["S"] if start_key else ""
        return [v for v in found.variants if v.sk > after][:limit]

    page = paginate(rows, params=req.query, scope=f"variants:{product_id}:{int(sees_inactive)}",
                    total=lambda: len(found.variants))
    shown_ids = {v.id for v in page.items}
    stock = [record for record in found.stock if record.variant_id in shown_ids]
    sees_stores = req.principal.sees_inactive_stores
    wanted = [keys.file_key(f) for v in page.items for f in (v.gallery or [])]
    wanted = wanted[:100] + stock_store_keys(stock, sees_inactive=sees_stores)  # stores last: unread → not shown
    raw = batch_read(wanted[:100])
    stock = shown_stock(stock, raw, sees_inactive=sees_stores)
    return Page([render.variant_out(v, stock, raw).model_dump(mode="json") for v in page.items], page.meta)


@route(bp, "POST", "/products/{product_id}/variants", summary="Add a variant to a product", body=VariantCreate,
       response=VariantFields, status=201, permission="product_variants.create", message=msg.VARIANT_CREATED, replay=variant_out)
def create_variant(req: Req, product_id: str) -> dict[str, Any]:
    return render.variant_fields(variants.create_variant(product_id, req.body))


@route(bp, "GET", "/product-variants/{variant_id}", summary="Read a variant with its stock, gallery and prices",
       query=VariantReadQuery, response=VariantOut, permission="product_variants.view")
def get_variant(req: Req, variant_id: str) -> dict[str, Any]:
    return _full_variant(variant_id, req.principal.sees_inactive_catalog, req.principal.sees_inactive_stores,
                         req.query.store_id)


def _variant_write(req: Req, variant_id: str, write: Callable[[Any], Any]) -> Any:
    def load() -> Any:
        variant = variants.get_variant(variant_id)
        require_match_either(req.if_match, render.variant_fields(variant), lambda: _full_variant(variant_id, True, True))

        return variant

    return guarded_write(load, None, write, req.if_match)


@route(bp, "PUT", "/product-variants/{variant_id}", summary="Replace a variant", body=VariantCreate,
       response=VariantFields, permission="product_variants.update", message=msg.VARIANT_UPDATED)
def replace_variant(req: Req, variant_id: str) -> dict[str, Any]:
    changes = req.body.model_dump()
    return render.variant_fields(_variant_write(req, variant_id, lambda v: variants.update_variant(v, changes)))


@route(bp, "PATCH", "/product-variants/{variant_id}", summary="Update some fields of a variant", body=VariantPatch,
       response=VariantFields, permission="product_variants.update", message=msg.VARIANT_UPDATED)
def patch_variant(req: Req, variant_id: str) -> dict[str, Any]:
    changes = patch_changes(req.body, nullable=("compare_at_price",))
    return render.variant_fields(_variant_write(req, variant_id, lambda v: variants.update_variant(v, changes)))


@route(bp, "DELETE", "/product-variants/{variant_id}", summary="Delete a variant, its stock, SKU and combination",
       permission="product_variants.delete", message=msg.VARIANT_DELETED)
def delete_variant(req: Req, variant_id: str) -> None:
    _variant_write(req, variant_id, variants.delete_variant)
