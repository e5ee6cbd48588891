"""HTTP routes of the products domain (thin views: parse, authorize, call a service, respond)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib.catalog import messages as msg
from chalicelib.catalog.products.schemas import (
    INCLUDES,
    ProductCreate,
    ProductDetail,
    ProductFields,
    ProductListQuery,
    ProductOut,
    ProductPatch,
    ProductReadQuery,
)
from chalicelib.core.concurrency import guarded_write, matches, require_match
from chalicelib.core.http import Req, route
from chalicelib.core.lazy import lazy_import
from chalicelib.core.pagination import Page
from chalicelib.core.schemas import patch_changes

if TYPE_CHECKING:
    from chalicelib.catalog.products.collection import Collection

services = lazy_import("chalicelib.catalog.products.services")
reads = lazy_import("chalicelib.catalog.products.reads")
collection = lazy_import("chalicelib.catalog.products.collection")
render = lazy_import("chalicelib.catalog.products.render")

bp = Blueprint(__name__)


def product_out(product_id: str) -> dict[str, Any]:
    """What creates and updates answer (the product's own fields); also the replay of a create."""
    found = collection.load_product_and_links(product_id)
    if found.product is None:
        from chalicelib.core.errors import NotFound

        raise NotFound(msg.PRODUCT_NOT_FOUND)
    return render.product_fields(found.product)


def _loader(product_id: str, if_match: str | None) -> Callable[[], Collection]:
    """Load what a write needs; with If-Match, check it against the representation the client may hold:
    the product's own fields (what writes answer) or the full GET rendering (one more BatchGetItem)."""

    def load() -> Collection:
        if not if_match:
            return collection.load_product_and_links(product_id)
        found = collection.load_collection(product_id, consistent=True)
        if found.product is not None and not matches(if_match, render.product_fields(found.product)):
            require_match(if_match, reads.render_loaded(found, includes=set(INCLUDES), sees_inactive=True,
                                                        sees_inactive_stores=True, consistent=True))
        return found

    return load


@route(bp, "GET", "/products", summary="List products (newest first)", query=ProductListQuery,
       response=ProductDetail, permission="products.view")
def list_products(req: Req) -> Page:
    return reads.list_products(req.query, sees_inactive=req.principal.sees_inactive_catalog,
                               sees_inactive_stores=req.principal.sees_inactive_stores)


@route(bp, "POST", "/products", summary="Create a product", body=ProductCreate, response=ProductOut, status=201,
       permission="products.create", message=msg.PRODUCT_CREATED, replay=product_out)
def create_product(req: Req) -> dict[str, Any]:
    return render.product_fields(services.create_product(req.body, actor=req.principal))


@route(bp, "GET", "/products/by-slug/{slug}", summary="Read a product by its slug", query=ProductReadQuery,
       response=ProductDetail, permission="products.view")
def get_product_by_slug(req: Req, slug: str) -> dict[str, Any]:
    includes = render.parse_includes(req.query.include, default=INCLUDES)
    return reads.read_product_by_slug(slug, includes=includes, sees_inactive=req.principal.sees_inactive_catalog,
                                      sees_inactive_stores=req.principal.sees_inactive_stores,
                                      store_id=req.query.store_id)


@route(bp, "GET", "/products/{product_id}", summary="Read a product with its related resources",
       query=ProductReadQuery, response=ProductDetail, permission="products.view")
def get_product(req: Req, product_id: str) -> dict[str, Any]:
    includes = render.parse_includes(req.query.include, default=INCLUDES)
    return reads.read_product(product_id, includes=includes, sees_inactive=req.principal.sees_inactive_catalog,
                              sees_inactive_stores=req.principal.sees_inactive_stores, store_id=req.query.store_id)[0]


def _update(req: Req, product_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    product = guarded_write(_loader(product_id, req.if_match), None,
                            lambda found: services.update_product(found, changes), req.if_match)
    return render.product_fields(product)


@route(bp, "PUT", "/products/{product_id}", summary="Replace a product", body=ProductFields,
       response=ProductOut, permission="products.update", message=msg.PRODUCT_UPDATED)
def replace_product(req: Req, product_id: str) -> dict[str, Any]:
    return _update(req, product_id, req.body.model_dump())


@route(bp, "PATCH", "/products/{product_id}", summary="Update some fields of a product", body=ProductPatch,
       response=ProductOut, permission="products.update", message=msg.PRODUCT_UPDATED)
def patch_product(req: Req, product_id: str) -> dict[str, Any]:
    changes = patch_changes(req.body, nullable=("description",))
    return _update(req, product_id, changes)


@route(bp, "DELETE", "/products/{product_id}", summary="Soft-delete a product (its slug stays taken)",
       permission="products.delete", message=msg.PRODUCT_DELETED)
def delete_product(req: Req, product_id: str) -> None:
    guarded_write(_loader(product_id, req.if_match), None, services.delete_product, req.if_match)


@route(bp, "POST", "/products/{product_id}/restore", summary="Restore a soft-deleted product",
       response=ProductOut, permission="products.delete", message=msg.PRODUCT_RESTORED)
def restore_product(req: Req, product_id: str) -> dict[str, Any]:
    product = guarded_write(_loader(product_id, req.if_match), None, services.restore_product, req.if_match)
    return render.product_fields(product)
