"""HTTP routes of stock: a variant's stock per store, set / adjust / delete, and the movement lists."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.catalog.stock.schemas import MovementOut, StockAdjust, StockOut, StockSet, VariantStockOut
from chalicelib.core.http import Req, route
from chalicelib.core.i18n import T
from chalicelib.core.lazy import lazy_import
from chalicelib.core.pagination import Page, PageQuery

# Services (and PynamoDB with them) load on the first request that needs them, not at `import app`.
stock = lazy_import("chalicelib.catalog.stock.services")
movements = lazy_import("chalicelib.catalog.stock.movements")

bp = Blueprint(__name__)

STOCK_UPDATED = T("Stock mis à jour", "Stock updated")
STOCK_DELETED = T("Stock supprimé", "Stock deleted")


@route(bp, "GET", "/product-variants/{variant_id}/stock", summary="A variant's stock in every store",
       response=VariantStockOut, permission="product_variants.view")
def list_variant_stock(req: Req, variant_id: str) -> VariantStockOut:
    variant, records = stock.list_variant_stock(variant_id, sees_inactive=req.principal.sees_inactive_catalog,
                                                sees_inactive_stores=req.principal.sees_inactive_stores)
    return VariantStockOut(product_id=variant.product_id, variant_id=variant.id,
                           stock=[stock.stock_out(item) for item in records])


@route(bp, "PUT", "/product-variants/{variant_id}/stock/{store_id}", summary="Set a variant's stock in a store",
       body=StockSet, response=StockOut, permission="stock.update", message=STOCK_UPDATED)
def set_stock(req: Req, variant_id: str, store_id: str) -> StockOut:
    return stock.stock_out(stock.set_stock(variant_id, store_id, req.body.quantity, actor=req.principal,
                                           if_match=req.if_match))


@route(bp, "POST", "/product-variants/{variant_id}/stock/{store_id}/adjust",
       summary="Adjust a variant's stock in a store atomically", body=StockAdjust, response=StockOut,
       permission="stock.update", message=STOCK_UPDATED)
def adjust_stock(req: Req, variant_id: str, store_id: str) -> StockOut:
    return stock.stock_out(stock.adjust_stock(variant_id, store_id, req.body.delta, actor=req.principal,
                                              reason=req.body.reason, reference=req.body.reference))


@route(bp, "DELETE", "/product-variants/{variant_id}/stock/{store_id}", summary="Delete a variant's stock in a store",
       permission="stock.update", message=STOCK_DELETED)
def delete_stock(req: Req, variant_id: str, store_id: str) -> None:
    stock.delete_stock(variant_id, store_id, actor=req.principal, if_match=req.if_match)


@route(bp, "GET", "/product-variants/{variant_id}/stock/{store_id}/movements",
       summary="The movements of a variant's stock in a store, newest first", query=PageQuery, response=MovementOut,
       permission="stock.update")
def list_entry_movements(req: Req, variant_id: str, store_id: str) -> Page:
    return movements.entry_movements(variant_id, store_id, req.query, actor=req.principal)


@route(bp, "GET", "/stores/{store_id}/stock-movements", summary="Every stock movement of a store, newest first",
       query=PageQuery, response=MovementOut, permission="stock.update")
def list_store_movements(req: Req, store_id: str) -> Page:
    return movements.store_movements(store_id, req.query, actor=req.principal)
