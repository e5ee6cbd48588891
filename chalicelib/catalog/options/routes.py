"""HTTP routes of a product's options and option values.

Writes answer the resource's own fields; `If-Match` is accepted with the ETag of either that
representation or the full one GET renders (reading the latter only when the former does not match).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint

from chalicelib.catalog import messages as msg
from chalicelib.catalog.products.schemas import (
    OptionCreate,
    OptionFields,
    OptionOut,
    OptionPatch,
    ValueCreate,
    ValueOut,
    ValuePatch,
)
from chalicelib.core.concurrency import guarded_write, require_match_either
from chalicelib.core.http import Req, route
from chalicelib.core.lazy import lazy_import
from chalicelib.core.pagination import Page, single_page
from chalicelib.core.schemas import patch_changes

options = lazy_import("chalicelib.catalog.options.services")
render = lazy_import("chalicelib.catalog.products.render")

bp = Blueprint(__name__)


# --- options ----------------------------------------------------------------------------------------
def option_out(option_id: str) -> dict[str, Any]:
    return render.option_fields(options.get_option(option_id))


def _full_option(option_id: str) -> dict[str, Any]:
    option, values = options.read_option(option_id, sees_inactive=True)
    return render.option_out(option, values).model_dump(mode="json")


@route(bp, "GET", "/products/{product_id}/options", summary="List a product's options with their values",
       response=OptionOut, paged=True, permission="product_options.view")
def list_options(req: Req, product_id: str) -> Page:
    found = options.list_options(product_id, sees_inactive=req.principal.sees_inactive_catalog)
    return single_page([o.model_dump(mode="json") for o in render.options_out(found)], 100)


@route(bp, "POST", "/products/{product_id}/options", summary="Add an option to a product", body=OptionCreate,
       response=OptionFields, status=201, permission="product_options.create", message=msg.OPTION_CREATED, replay=option_out)
def create_option(req: Req, product_id: str) -> dict[str, Any]:
    return render.option_fields(options.create_option(product_id, req.body))


@route(bp, "GET", "/product-options/{option_id}", summary="Read an option with its values", response=OptionOut,
       permission="product_options.view")
def get_option(req: Req, option_id: str) -> dict[str, Any]:
    option, values = options.read_option(option_id, sees_inactive=req.principal.sees_inactive_catalog)
    return render.option_out(option, values).model_dump(mode="json")


def _option_write(req: Req, option_id: str, write: Callable[[Any], Any]) -> Any:
    def load() -> Any:
        option = options.get_option(option_id)
        require_match_either(req.if_match, render.option_fields(option), lambda: _full_option(option_id))
        return option

    return guarded_write(load, None, write, req.if_match)


@route(bp, "PUT", "/product-options/{option_id}", summary="Replace an option", body=OptionCreate,
       response=OptionFields, permission="product_options.update", message=msg.OPTION_UPDATED)
def replace_option(req: Req, option_id: str) -> dict[str, Any]:
    changes = req.body.model_dump()
    return render.option_fields(_option_write(req, option_id, lambda o: options.update_option(o, changes)))


@route(bp, "PATCH", "/product-options/{option_id}", summary="Update some fields of an option", body=OptionPatch,
       response=OptionFields, permission="product_options.update", message=msg.OPTION_UPDATED)
def patch_option(req: Req, option_id: str) -> dict[str, Any]:
    changes = patch_changes(req.body)
    return render.option_fields(_option_write(req, option_id, lambda o: options.update_option(o, changes)))


@route(bp, "DELETE", "/product-options/{option_id}", summary="Delete an option and its values (409 when in use)",
       permission="product_options.delete", message=msg.OPTION_DELETED)
def delete_option(req: Req, option_id: str) -> None:
    _option_write(req, option_id, options.delete_option)


# --- option values ----------------------------------------------------------------------------------
def value_out(value_id: str) -> dict[str, Any]:
    return render.value_out(options.get_value(value_id)).model_dump(mode="json")


@route(bp, "GET", "/product-options/{option_id}/values", summary="List an option's values", response=ValueOut,
       paged=True, permission="product_option_values.view")

def list_values(req: Req, option_id: str) -> Page:
    values = options.list_values(option_id, sees_inactive=req.principal.sees_inactive_catalog)
    return single_page([render.value_out(v).model_dump(mode="json") for v in render.by_position(values)], 100)


@route(bp, "POST", "/product-options/{option_id}/values", summary="Add a value to an option", body=ValueCreate,
       response=ValueOut, status=201, permission="product_option_values.create", message=msg.VALUE_CREATED,
       replay=value_out)
def create_value(req: Req, option_id: str) -> dict[str, Any]:
    return render.value_out(options.create_value(option_id, req.body)).model_dump(mode="json")


@route(bp, "GET", "/product-option-values/{value_id}", summary="Read an option value", response=ValueOut,
       permission="product_option_values.view")
def get_value(req: Req, value_id: str) -> dict[str, Any]:
    return render.value_out(options.read_value(value_id, sees_inactive=req.principal.sees_inactive_catalog)).model_dump(mode="json")


def _value_write(req: Req, value_id: str, write: Callable[[Any], Any]) -> Any:
    return guarded_write(lambda: options.get_value(value_id), lambda v: render.value_out(v), write, req.if_match)


@route(bp, "PUT", "/product-option-values/{value_id}", summary="Replace an option value", body=ValueCreate,
       response=ValueOut, permission="product_option_values.update", message=msg.VALUE_UPDATED)
def replace_value(req: Req, value_id: str) -> dict[str, Any]:
    changes = req.body.model_dump()
    value = _value_write(req, value_id, lambda v: options.update_value(v, changes))
    return render.value_out(value).model_dump(mode="json")


@route(bp, "PATCH", "/product-option-values/{value_id}", summary="Update some fields of an option value",
       body=ValuePatch, response=ValueOut, permission="product_option_values.update", message=msg.VALUE_UPDATED)
def patch_value(req: Req, value_id: str) -> dict[str, Any]:
    changes = patch_changes(req.body)
    value = _value_write(req, value_id, lambda v: options.update_value(v, changes))
    return render.value_out(value).model_dump(mode="json")


@route(bp, "DELETE", "/product-option-values/{value_id}", summary="Delete an option value (409 when in use)",
       permission="product_option_values.delete", message=msg.VALUE_DELETED)
def delete_value(req: Req, value_id: str) -> None:
    _value_write(req, value_id, options.delete_value)
