"""HTTP routes of product ↔ store links (listing a store's products is the stores domain's route)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.catalog.links.schemas import AttachStoresOut, StoreIdsIn
from chalicelib.core.http import Req, route
from chalicelib.core.i18n import T
from chalicelib.core.lazy import lazy_import

product_links = lazy_import("chalicelib.catalog.links.services")  # PynamoDB loads on the first request

bp = Blueprint(__name__)

STORES_ATTACHED = T("Produit rattaché aux magasins", "Product attached to the stores")
STORE_DETACHED = T("Produit retiré du magasin", "Product removed from the store")


@route(bp, "POST", "/products/{product_id}/stores", summary="Attach a product to stores", body=StoreIdsIn,
       response=AttachStoresOut, permission="products.update", message=STORES_ATTACHED)
def attach_product_stores(req: Req, product_id: str) -> AttachStoresOut:
    return product_links.attach_product_to_stores(product_id, req.body.store_ids, actor=req.principal)


@route(bp, "DELETE", "/products/{product_id}/stores/{store_id}", summary="Detach a product from a store (and its stock there)",
       permission="products.update", message=STORE_DETACHED)
def detach_product_store(req: Req, product_id: str, store_id: str) -> None:
    product_links.detach_product_from_store(product_id, store_id, actor=req.principal)
