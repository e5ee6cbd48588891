"""HTTP routes of a product's variants.

Writes answer what the read renders (the variant with its stock and gallery), so `If-Match` takes the
ETag of either: one check, in core.concurrency.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint

from chalicelib.catalog import messages as msg
from chalicelib.catalog.products.schemas import VariantCreate, VariantOut, VariantPatch, VariantReadQuery
from chalicelib.core.concurrency import guarded_answer, guarded_write
from chalicelib.core.http import Req, route, update_routes
from chalicelib.core.lazy import lazy_import
from chalicelib.core.pagination import Page, PageQuery, paginate

variants = lazy_import("chalicelib.catalog.variants.services")
render = lazy_import("chalicelib.catalog.products.render")

bp = Blueprint(__name__)


# --- variants ---------------------------------------------------------------------------------------
def _variant_shown(found: Any, store_id: str | None = None, sees_inactive_stores: bool = True) -> dict[str, Any]:
    """The variant read (a variants.VariantRead): base prices and its overrides, or (`store_id`) its effective
    price in that store."""
    from chalicelib.core import keys  # PynamoDB-free, but kept off the import path like the list's

    attached = bool(store_id) and keys.product_store_key(found.variant.product_id, str(store_id)) in found.raw
    context = render.store_context(store_id, found.raw, attached=attached, sees_inactive_stores=sees_inactive_stores)
    return render.variant_out(found.variant, found.stock, found.raw, overrides=found.prices, context=context,
                              list_prices=True).model_dump(mode="json")


def variant_out(variant_id: str) -> dict[str, Any]:
    return _variant_shown(variants.read_variant(variant_id, sees_inactive=True, sees_inactive_stores=True))


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
       response=VariantOut, status=201, permission="product_variants.create", message=msg.VARIANT_CREATED, replay=variant_out)
def create_variant(req: Req, product_id: str) -> dict[str, Any]:
    new = variants.create_variant(product_id, req.body)
    return _variant_shown(variants.VariantRead(new, [], {}, []))  # no stock, gallery or prices yet


@route(bp, "GET", "/product-variants/{variant_id}", summary="Read a variant with its stock, gallery and prices",
       query=VariantReadQuery, response=VariantOut, permission="product_variants.view")
def get_variant(req: Req, variant_id: str) -> dict[str, Any]:
    sees_stores = req.principal.sees_inactive_stores
    found = variants.read_variant(variant_id, sees_inactive=req.principal.sees_inactive_catalog,
                                  sees_inactive_stores=sees_stores, store_id=req.query.store_id)
    return _variant_shown(found, req.query.store_id, sees_stores)


def _read_for_write(req: Req, variant_id: str) -> Any:
    return variants.read_variant(variant_id, sees_inactive=True, sees_inactive_stores=req.principal.sees_inactive_stores)


def _variant_write(req: Req, variant_id: str, write: Callable[[Any], Any]) -> dict[str, Any]:
    """The variant as its read renders it is what If-Match is checked on and what the write answers."""
    return guarded_answer(lambda: _read_for_write(req, variant_id), _variant_shown,
                          lambda found: found._replace(variant=write(found.variant)), req.if_match)


update_routes(bp, "/product-variants/{variant_id}", module=__name__, name="variant", noun="a variant",
              put=VariantCreate, patch=VariantPatch, response=VariantOut, permission="product_variants.update",
              message=msg.VARIANT_UPDATED, nullable=("compare_at_price",),
              update=lambda req, variant_id, changes: _variant_write(
                  req, variant_id, lambda variant: variants.update_variant(variant, changes)))


@route(bp, "DELETE", "/product-variants/{variant_id}", summary="Delete a variant, its stock, SKU and combination",
       permission="product_variants.delete", message=msg.VARIANT_DELETED)
def delete_variant(req: Req, variant_id: str) -> None:
    def load() -> Any:  # stock, gallery and prices only for an If-Match check
        if req.if_match:
            return _read_for_write(req, variant_id)
        return variants.VariantRead(variants.get_variant(variant_id), [], {}, [])

    guarded_write(load, _variant_shown, lambda found: variants.delete_variant(found.variant), req.if_match)
