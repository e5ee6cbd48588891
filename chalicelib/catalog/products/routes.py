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
    ProductPatch,
    ProductReadQuery,
)
from chalicelib.core import keys
from chalicelib.core.concurrency import guarded_answer, guarded_write
from chalicelib.core.http import Req, route, update_routes
from chalicelib.core.lazy import lazy_import
from chalicelib.core.pagination import Page

if TYPE_CHECKING:
    from chalicelib.catalog.products.collection import Collection
    from chalicelib.catalog.products.models import ProductItem
    from chalicelib.catalog.products.render import Raw

services = lazy_import("chalicelib.catalog.products.services")
reads = lazy_import("chalicelib.catalog.products.reads")
render = lazy_import("chalicelib.catalog.products.render")

bp = Blueprint(__name__)


def product_out(product_id: str) -> dict[str, Any]:
    """The replay of a create: the product as its read renders it (every include)."""
    return reads.read_product(product_id, includes=set(INCLUDES), sees_inactive=True, sees_inactive_stores=True,
                              consistent=True)[0]


Loaded = tuple["Collection", "Raw", "ProductItem"]


def _write(req: Req, product_id: str, write: Callable[[Collection], ProductItem], *,
           changes: dict[str, Any] | None = None, answers: bool = True) -> Any:
    """Every product write: the read's representation is the one If-Match is checked on and the one a
    write answers (the new category, when the write moves the product, is read with the rest)."""
    sees_inactive, sees_stores = req.principal.sees_inactive_catalog, req.principal.sees_inactive_stores
    category = (changes or {}).get("product_category_id")
    also = [keys.category_key(category)] if category else []

    def load() -> Loaded:
        found, raw = reads.load_for_write(product_id, related=answers or bool(req.if_match), also=also,
                                          sees_inactive_stores=sees_stores)
        assert found.product is not None  # load_for_write: 404 otherwise
        return found, raw, found.product

    def show(state: Loaded) -> dict[str, Any]:
        found, raw, product = state
        return render.render_product(product, set(INCLUDES), raw, found, sees_inactive=sees_inactive,
                                     sees_inactive_stores=sees_stores)

    def run(state: Loaded) -> Loaded:
        return state[0], state[1], write(state[0])

    if not answers:
        guarded_write(load, show, run, req.if_match)
        return None
    return guarded_answer(load, show, run, req.if_match)


@route(bp, "GET", "/products", summary="List products (newest first)", query=ProductListQuery,
       response=ProductDetail, permission="products.view")
def list_products(req: Req) -> Page:
    return reads.list_products(req.query, sees_inactive=req.principal.sees_inactive_catalog,
                               sees_inactive_stores=req.principal.sees_inactive_stores)


@route(bp, "POST", "/products", summary="Create a product", body=ProductCreate, response=ProductDetail, status=201,
       permission="products.create", message=msg.PRODUCT_CREATED, replay=product_out)
def create_product(req: Req) -> dict[str, Any]:
    body, actor = req.body, req.principal
    raw, memberships = reads.read_for_create(body.product_category_id, body.store_ids, actor,
                                             sees_inactive_stores=actor.sees_inactive_stores)
    product = services.create_product(body, actor=actor, memberships=memberships)
    return reads.render_created(product, body.store_ids, raw, sees_inactive=actor.sees_inactive_catalog,
                                sees_inactive_stores=actor.sees_inactive_stores)


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
    return _write(req, product_id, lambda found: services.update_product(found, changes), changes=changes)


update_routes(bp, "/products/{product_id}", module=__name__, name="product", noun="a product", put=ProductFields,
              patch=ProductPatch, response=ProductDetail, permission="products.update", message=msg.PRODUCT_UPDATED,
              update=_update, nullable=("description",))


@route(bp, "DELETE", "/products/{product_id}", summary="Soft-delete a product (its slug stays taken)",
       permission="products.delete", message=msg.PRODUCT_DELETED)
def delete_product(req: Req, product_id: str) -> None:
    _write(req, product_id, services.delete_product, answers=False)


@route(bp, "POST", "/products/{product_id}/restore", summary="Restore a soft-deleted product",
       response=ProductDetail, permission="products.delete", message=msg.PRODUCT_RESTORED)
def restore_product(req: Req, product_id: str) -> dict[str, Any]:
    return _write(req, product_id, services.restore_product)
