"""HTTP routes of the categories domain (thin views: parse, authorize, call a service, respond)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.categories import messages as msg
from chalicelib.categories.schemas import CategoryCreate, CategoryListQuery, CategoryOut, CategoryPatch
from chalicelib.core.concurrency import guarded_write
from chalicelib.core.http import Req, route
from chalicelib.core.lazy import lazy_import
from chalicelib.core.pagination import Page

bp = Blueprint(__name__)
services = lazy_import("chalicelib.categories.services")


def category_out(category_id: str) -> CategoryOut:
    """Replay of an idempotent create."""
    return CategoryOut.from_item(services.get_category(category_id, consistent=True))


@route(bp, "GET", "/product-categories", summary="List categories (by position)", query=CategoryListQuery,
       response=CategoryOut, permission="product_categories.view")
def list_categories(req: Req) -> Page:
    page = services.list_categories(req.query, sees_inactive=req.principal.sees_inactive_catalog)
    return Page([CategoryOut.from_item(item) for item in page.items], page.meta)


@route(bp, "POST", "/product-categories", summary="Create a category", body=CategoryCreate, response=CategoryOut,
       status=201, permission="product_categories.create", message=msg.CATEGORY_CREATED, replay=category_out)
def create_category(req: Req) -> CategoryOut:
    return CategoryOut.from_item(services.create_category(req.body))


@route(bp, "GET", "/product-categories/{category_id}", summary="Read a category", response=CategoryOut,
       permission="product_categories.view")
def get_category(req: Req, category_id: str) -> CategoryOut:
    return CategoryOut.from_item(services.get_category(category_id, sees_inactive=req.principal.sees_inactive_catalog))


def _update(req: Req, category_id: str, changes: dict) -> CategoryOut:
    new_parent = changes.get("parent_id")
    updated = guarded_write(lambda: services.load_for_update(category_id, new_parent),
                            lambda loaded: CategoryOut.from_item(loaded[0]),
                            lambda loaded: services.update_category(loaded[0], changes, loaded[1]), req.if_match)
    return CategoryOut.from_item(updated)


@route(bp, "PUT", "/product-categories/{category_id}", summary="Replace a category", body=CategoryCreate,
       response=CategoryOut, permission="product_categories.update", message=msg.CATEGORY_UPDATED)
def replace_category(req: Req, category_id: str) -> CategoryOut:
    return _update(req, category_id, req.body.model_dump())


@route(bp, "PATCH", "/product-categories/{category_id}", summary="Update some fields of a category",
       body=CategoryPatch, response=CategoryOut, permission="product_categories.update", message=msg.CATEGORY_UPDATED)
def patch_category(req: Req, category_id: str) -> CategoryOut:
    changes = req.body.model_dump(include=req.body.model_fields_set)
    for field in ("name", "position", "is_active"):  # not nullable: an explicit null means "unchanged"
        if changes.get(field, 0) is None:
            changes.pop(field)
    return _update(req, category_id, changes)


@route(bp, "DELETE", "/product-categories/{category_id}", summary="Delete a category without children or products",
       permission="product_categories.delete", message=msg.CATEGORY_DELETED)
def delete_category(req: Req, category_id: str) -> None:
    guarded_write(lambda: services.get_category(category_id, consistent=True), CategoryOut.from_item,
                  services.delete_category, req.if_match)
