"""HTTP routes of a product's options and option values.

Writes answer what the read renders (an option with its values; a value), so `If-Match` takes the ETag of
either: one check, in core.concurrency.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint

from chalicelib.catalog import messages as msg
from chalicelib.catalog.products.schemas import (
    OptionCreate,
    OptionOut,
    OptionPatch,
    ValueCreate,
    ValueOut,
    ValuePatch,
)
from chalicelib.core.concurrency import guarded_answer, guarded_write
from chalicelib.core.http import Req, route, update_routes
from chalicelib.core.lazy import lazy_import
from chalicelib.core.pagination import Page, single_page

options = lazy_import("chalicelib.catalog.options.services")
render = lazy_import("chalicelib.catalog.products.render")

bp = Blueprint(__name__)


# --- options ----------------------------------------------------------------------------------------
def option_out(option_id: str) -> dict[str, Any]:
    return _option_shown(options.read_option(option_id, sees_inactive=True))


OptionState = tuple[Any, list[Any]]


def _option_shown(state: OptionState) -> dict[str, Any]:
    option, values = state
    return render.option_out(option, values).model_dump(mode="json")


@route(bp, "GET", "/products/{product_id}/options", summary="List a product's options with their values",
       response=OptionOut, paged=True, permission="product_options.view")
def list_options(req: Req, product_id: str) -> Page:
    found = options.list_options(product_id, sees_inactive=req.principal.sees_inactive_catalog)
    return single_page([o.model_dump(mode="json") for o in render.options_out(found)], 100)


@route(bp, "POST", "/products/{product_id}/options", summary="Add an option to a product", body=OptionCreate,
       response=OptionOut, status=201, permission="product_options.create", message=msg.OPTION_CREATED, replay=option_out)
def create_option(req: Req, product_id: str) -> dict[str, Any]:
    return _option_shown((options.create_option(product_id, req.body), []))


@route(bp, "GET", "/product-options/{option_id}", summary="Read an option with its values", response=OptionOut,
       permission="product_options.view")
def get_option(req: Req, option_id: str) -> dict[str, Any]:
    return _option_shown(options.read_option(option_id, sees_inactive=req.principal.sees_inactive_catalog))


def _option_write(req: Req, option_id: str, write: Callable[[Any], Any]) -> dict[str, Any]:
    """The option with its values is what If-Match is checked on and what the write answers."""
    return guarded_answer(lambda: options.read_option(option_id, sees_inactive=True), _option_shown,
                          lambda state: (write(state[0]), state[1]), req.if_match)


update_routes(bp, "/product-options/{option_id}", module=__name__, name="option", noun="an option", put=OptionCreate,
              patch=OptionPatch, response=OptionOut, permission="product_options.update", message=msg.OPTION_UPDATED,
              update=lambda req, option_id, changes: _option_write(
                  req, option_id, lambda option: options.update_option(option, changes)))


@route(bp, "DELETE", "/product-options/{option_id}", summary="Delete an option and its values (409 when in use)",
       permission="product_options.delete", message=msg.OPTION_DELETED)
def delete_option(req: Req, option_id: str) -> None:
    def load() -> OptionState:  # the values only for an If-Match check
        return options.read_option(option_id, sees_inactive=True) if req.if_match else (options.get_option(option_id), [])

    guarded_write(load, _option_shown, lambda state: options.delete_option(state[0]), req.if_match)


# --- option values ----------------------------------------------------------------------------------
def _value_shown(value: Any) -> dict[str, Any]:
    return render.value_out(value).model_dump(mode="json")


def value_out(value_id: str) -> dict[str, Any]:
    return _value_shown(options.get_value(value_id))


@route(bp, "GET", "/product-options/{option_id}/values", summary="List an option's values", response=ValueOut,
       paged=True, permission="product_option_values.view")
def list_values(req: Req, option_id: str) -> Page:
    values = options.list_values(option_id, sees_inactive=req.principal.sees_inactive_catalog)
    return single_page([_value_shown(v) for v in render.by_position(values)], 100)


@route(bp, "POST", "/product-options/{option_id}/values", summary="Add a value to an option", body=ValueCreate,
       response=ValueOut, status=201, permission="product_option_values.create", message=msg.VALUE_CREATED,
       replay=value_out)
def create_value(req: Req, option_id: str) -> dict[str, Any]:
    return _value_shown(options.create_value(option_id, req.body))


@route(bp, "GET", "/product-option-values/{value_id}", summary="Read an option value", response=ValueOut,
       permission="product_option_values.view")
def get_value(req: Req, value_id: str) -> dict[str, Any]:
    return _value_shown(options.read_value(value_id, sees_inactive=req.principal.sees_inactive_catalog))


def _value_write(req: Req, value_id: str, write: Callable[[Any], Any]) -> dict[str, Any]:
    return guarded_answer(lambda: options.get_value(value_id), _value_shown, write, req.if_match)


update_routes(bp, "/product-option-values/{value_id}", module=__name__, name="value", noun="an option value",
              put=ValueCreate, patch=ValuePatch, response=ValueOut, permission="product_option_values.update",
              message=msg.VALUE_UPDATED, update=lambda req, value_id, changes: _value_write(
                  req, value_id, lambda value: options.update_value(value, changes)))


@route(bp, "DELETE", "/product-option-values/{value_id}", summary="Delete an option value (409 when in use)",
       permission="product_option_values.delete", message=msg.VALUE_DELETED)
def delete_value(req: Req, value_id: str) -> None:
    guarded_write(lambda: options.get_value(value_id), _value_shown, options.delete_value, req.if_match)
