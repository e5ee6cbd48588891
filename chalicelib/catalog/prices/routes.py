"""HTTP routes of store prices: a variant's overrides per store, and a store's bulk price write."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalice import Blueprint

from chalicelib.catalog import messages as msg
from chalicelib.catalog.prices.schemas import PriceIn, PriceOut, StorePriceOut, StorePricesIn, StorePricesOut
from chalicelib.core.http import Answer, Req, route
from chalicelib.core.keys import Key
from chalicelib.core.lazy import lazy_import

prices = lazy_import("chalicelib.catalog.prices.services")  # PynamoDB loads on the first request
render = lazy_import("chalicelib.catalog.products.render")

bp = Blueprint(__name__)


def _override_reads(params: Mapping[str, str], user_id: str) -> list[Key]:
    return prices.override_reads(params["variant_id"], params["store_id"], user_id)


@route(bp, "GET", "/product-variants/{variant_id}/prices", summary="A variant's price overrides, per store",
       response=PriceOut, many=True, permission="products.view")
def list_variant_prices(req: Req, variant_id: str) -> list[PriceOut]:
    found = prices.variant_prices(variant_id, sees_inactive=req.principal.sees_inactive_catalog,
                                  sees_inactive_stores=req.principal.sees_inactive_stores)
    return [render.price_out(item) for item in found.prices]


@route(bp, "GET", "/product-variants/{variant_id}/prices/{store_id}", summary="A variant's price override in a store",
       response=PriceOut, permission="products.view")
def get_variant_price(req: Req, variant_id: str, store_id: str) -> PriceOut:
    return render.price_out(prices.get_price(variant_id, store_id, sees_inactive=req.principal.sees_inactive_catalog,
                                             sees_inactive_stores=req.principal.sees_inactive_stores))


@route(bp, "PUT", "/product-variants/{variant_id}/prices/{store_id}", summary="Set a variant's price in a store",
       body=PriceIn, response=PriceOut, creates=True, permission="prices.update", message=msg.PRICE_SAVED,
       reads=_override_reads)
def set_variant_price(req: Req, variant_id: str, store_id: str) -> Answer:
    item, created = prices.set_price(variant_id, store_id, req.body, actor=req.principal, found=req.found,
                                     if_match=req.if_match)
    return Answer(render.price_out(item), 201 if created else 200)


@route(bp, "DELETE", "/product-variants/{variant_id}/prices/{store_id}",
       summary="Delete a variant's price in a store (back to the base price)", permission="prices.update",
       message=msg.PRICE_DELETED, reads=_override_reads)
def delete_variant_price(req: Req, variant_id: str, store_id: str) -> None:
    prices.delete_price(variant_id, store_id, actor=req.principal, found=req.found, if_match=req.if_match)


@route(bp, "PUT", "/stores/{store_id}/prices", summary="Set many variants' prices in a store, all or nothing",
       body=StorePricesIn, response=StorePricesOut, permission="prices.update", message=msg.PRICES_SAVED)
def set_store_prices(req: Req, store_id: str) -> StorePricesOut:
    currency, rows = prices.set_store_prices(store_id, req.body.items, actor=req.principal)
    items: list[Any] = [StorePriceOut(product_id=row.variant.product_id, variant_id=row.variant.id,
                                      **render.price_out(row.item).model_dump()) for row in rows if row.item]
    return StorePricesOut(store_id=store_id, currency=currency, items=items)
