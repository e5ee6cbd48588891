"""Routes of options, option values and variants (registered on the products Blueprint).

Writes answer the resource's own fields; `If-Match` is accepted with the ETag of either that
representation or the full one GET renders (reading the latter only when the former does not match).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.core.http import Req, route
from chalicelib.core.lazy import lazy_import
from chalicelib.core.pagination import Page, PageQuery, paginate
from chalicelib.products import messages as msg
from chalicelib.products.blueprint import bp
from chalicelib.products.concurrency import guarded_write, matches, require_match
from chalicelib.products.policies import sees_inactive_catalog, sees_inactive_stores
from chalicelib.products.schemas import (
    OptionCreate,
    OptionOut,
    OptionPatch,
    ValueCreate,
    ValueOut,
    ValuePatch,
    VariantCreate,
    VariantPatch,
)

options = lazy_import("chalicelib.products.services.options")
variants = lazy_import("chalicelib.products.services.variants")
render = lazy_import("chalicelib.products.services.render")


def _sees_inactive(req: Req) -> bool:
    return sees_inactive_catalog(req.principal)


def _check(if_match: str | None, own: Any, full: Callable[[], Any]) -> None:
    if if_match and not matches(if_match, own):
        require_match(if_match, full())


def _whole(items: list[Any], per_page: int = 100) -> Page:
    """A bounded list (≤ 5 options, ≤ 100 values) comes whole, in one page."""
    return Page(items, {"per_page": max(per_page, len(items)), "current_page": 1, "last_page": 1,
                        "total": len(items), "next_cursor": None})


def _changes(body: Any, nullable: tuple[str, ...] = ()) -> dict[str, Any]:
    changes = body.model_dump(include=body.model_fields_set)
    return {k: v for k, v in changes.items() if v is not None or k in nullable}


# --- options ----------------------------------------------------------------------------------------
def option_out(option_id: str) -> dict[str, Any]:
    return render.option_fields(options.get_option(option_id))


def _full_option(option_id: str) -> dict[str, Any]:
    option, values = options.read_option(option_id, sees_inactive=True)
    return render.option_out(option, values).model_dump(mode="json")


@route(bp, "GET", "/products/{product_id}/options", summary="List a product's options with their values",
       response=OptionOut, paged=True, permission="product_options.view")
def list_options(req: Req, product_id: str) -> Page:
    found = options.list_options(product_id, sees_inactive=_sees_inactive(req))
    return _whole([o.model_dump(mode="json") for o in render.options_out(found)])


@route(bp, "POST", "/products/{product_id}/options", summary="Add an option to a product", body=OptionCreate,
       status=201, permission="product_options.create", message=msg.OPTION_CREATED, replay=option_out)
def create_option(req: Req, product_id: str) -> dict[str, Any]:
    return render.option_fields(options.create_option(product_id, req.body))


@route(bp, "GET", "/product-options/{option_id}", summary="Read an option with its values", response=OptionOut,
       permission="product_options.view")
def get_option(req: Req, option_id: str) -> dict[str, Any]:
    option, values = options.read_option(option_id, sees_inactive=_sees_inactive(req))
    return render.option_out(option, values).model_dump(mode="json")


def _option_write(req: Req, option_id: str, write: Callable[[Any], Any]) -> Any:
    def load() -> Any:
        option = options.get_option(option_id)
        _check(req.if_match, render.option_fields(option), lambda: _full_option(option_id))
        return option

    return guarded_write(load, None, write, req.if_match)


@route(bp, "PUT", "/product-options/{option_id}", summary="Replace an option", body=OptionCreate,
       permission="product_options.update", message=msg.OPTION_UPDATED)
def replace_option(req: Req, option_id: str) -> dict[str, Any]:
    changes = req.body.model_dump()
    return render.option_fields(_option_write(req, option_id, lambda o: options.update_option(o, changes)))


@route(bp, "PATCH", "/product-options/{option_id}", summary="Update some fields of an option", body=OptionPatch,
       permission="product_options.update", message=msg.OPTION_UPDATED)
def patch_option(req: Req, option_id: str) -> dict[str, Any]:
    changes = _changes(req.body)
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
    values = options.list_values(option_id, sees_inactive=_sees_inactive(req))
    return _whole([render.value_out(v).model_dump(mode="json") for v in render.by_position(values)])


@route(bp, "POST", "/product-options/{option_id}/values", summary="Add a value to an option", body=ValueCreate,
       response=ValueOut, status=201, permission="product_option_values.create", message=msg.VALUE_CREATED,
       replay=value_out)
def create_value(req: Req, option_id: str) -> dict[str, Any]:
    return render.value_out(options.create_value(option_id, req.body)).model_dump(mode="json")


@route(bp, "GET", "/product-option-values/{value_id}", summary="Read an option value", response=ValueOut,
       permission="product_option_values.view")
def get_value(req: Req, value_id: str) -> dict[str, Any]:
    return render.value_out(options.read_value(value_id, sees_inactive=_sees_inactive(req))).model_dump(mode="json")


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
    changes = _changes(req.body)
    value = _value_write(req, value_id, lambda v: options.update_value(v, changes))
    return render.value_out(value).model_dump(mode="json")


@route(bp, "DELETE", "/product-option-values/{value_id}", summary="Delete an option value (409 when in use)",
       permission="product_option_values.delete", message=msg.VALUE_DELETED)
def delete_value(req: Req, value_id: str) -> None:
    _value_write(req, value_id, options.delete_value)


# --- variants ---------------------------------------------------------------------------------------
def variant_out(variant_id: str) -> dict[str, Any]:
    return render.variant_fields(variants.get_variant(variant_id))


def _full_variant(variant_id: str, sees_inactive: bool, sees_inactive_stores: bool) -> dict[str, Any]:
    variant, stock, raw = variants.read_variant(variant_id, sees_inactive=sees_inactive,
                                                sees_inactive_stores=sees_inactive_stores)
    return render.variant_out(variant, stock, raw).model_dump(mode="json")


@route(bp, "GET", "/products/{product_id}/variants", summary="List a product's variants with stock and gallery",
       query=PageQuery, permission="product_variants.view")
def list_variants(req: Req, product_id: str) -> Page:
    from chalicelib.core import keys
    from chalicelib.products.batch import batch_read
    from chalicelib.stores.policies import shown_stock, stock_store_keys  # PynamoDB: not at import

    sees_inactive = _sees_inactive(req)
    found = variants.list_variants(product_id, sees_inactive=sees_inactive)

    def rows(limit: int, start_key: dict[str, Any] | None) -> list[Any]:
        after = start_key["sk"]["S"] if start_key else ""
        return [v for v in found.variants if v.sk > after][:limit]

    page = paginate(rows, params=req.query, scope=f"variants:{product_id}:{int(sees_inactive)}",
                    total=lambda: len(found.variants))
    shown_ids = {v.id for v in page.items}
    stock = [record for record in found.stock if record.variant_id in shown_ids]
    sees_stores = sees_inactive_stores(req.principal)
    wanted = [keys.file_key(f) for v in page.items for f in (v.gallery or [])]
    wanted = wanted[:100] + stock_store_keys(stock, sees_inactive=sees_stores)  # stores last: unread → not shown
    raw = batch_read(wanted[:100])
    stock = shown_stock(stock, raw, sees_inactive=sees_stores)
    return Page([render.variant_out(v, stock, raw).model_dump(mode="json") for v in page.items], page.meta)


@route(bp, "POST", "/products/{product_id}/variants", summary="Add a variant to a product", body=VariantCreate,
       status=201, permission="product_variants.create", message=msg.VARIANT_CREATED, replay=variant_out)
def create_variant(req: Req, product_id: str) -> dict[str, Any]:
    return render.variant_fields(variants.create_variant(product_id, req.body))


@route(bp, "GET", "/product-variants/{variant_id}", summary="Read a variant with its stock and gallery",
       permission="product_variants.view")
def get_variant(req: Req, variant_id: str) -> dict[str, Any]:
    return _full_variant(variant_id, _sees_inactive(req), sees_inactive_stores(req.principal))


def _variant_write(req: Req, variant_id: str, write: Callable[[Any], Any]) -> Any:
    def load() -> Any:
        variant = variants.get_variant(variant_id)
        _check(req.if_match, render.variant_fields(variant), lambda: _full_variant(variant_id, True, True))
        return variant

    return guarded_write(load, None, write, req.if_match)


@route(bp, "PUT", "/product-variants/{variant_id}", summary="Replace a variant", body=VariantCreate,
       permission="product_variants.update", message=msg.VARIANT_UPDATED)
def replace_variant(req: Req, variant_id: str) -> dict[str, Any]:
    changes = req.body.model_dump()
    return render.variant_fields(_variant_write(req, variant_id, lambda v: variants.update_variant(v, changes)))


@route(bp, "PATCH", "/product-variants/{variant_id}", summary="Update some fields of a variant", body=VariantPatch,
       permission="product_variants.update", message=msg.VARIANT_UPDATED)
def patch_variant(req: Req, variant_id: str) -> dict[str, Any]:
    changes = _changes(req.body, nullable=("compare_at_price",))
    return render.variant_fields(_variant_write(req, variant_id, lambda v: variants.update_variant(v, changes)))


@route(bp, "DELETE", "/product-variants/{variant_id}", summary="Delete a variant, its stock, SKU and combination",
       permission="product_variants.delete", message=msg.VARIANT_DELETED)
def delete_variant(req: Req, variant_id: str) -> None:
    _variant_write(req, variant_id, variants.delete_variant)
