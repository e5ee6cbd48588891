"""HTTP routes of product and variant galleries (the ordered file ids stored on the product and variant items)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.core.http import Req, route
from chalicelib.core.lazy import lazy_import
from chalicelib.media import messages
from chalicelib.media.schemas import GalleryAttach, GalleryOut, gallery_out

galleries = lazy_import("chalicelib.catalog.galleries.services")  # PynamoDB loads on the first request

bp = Blueprint(__name__)


def _replay_gallery(ref: str) -> GalleryOut:
    return gallery_out(galleries.gallery_of(ref))


@route(bp, "POST", "/products/{product_id}/gallery", summary="Append ready files to a product's gallery",
       body=GalleryAttach, response=GalleryOut, permission="products.attach_gallery", message=messages.GALLERY_UPDATED,
       replay=_replay_gallery)
def attach_product_gallery(req: Req, product_id: str) -> GalleryOut:
    return gallery_out(galleries.attach_to_product(product_id, req.body.file_ids, actor=req.principal))


@route(bp, "DELETE", "/products/{product_id}/gallery/{file_id}", summary="Take a file out of a product's gallery",
       response=GalleryOut, permission="products.attach_gallery", message=messages.IMAGE_REMOVED)
def detach_product_gallery(req: Req, product_id: str, file_id: str) -> GalleryOut:
    return gallery_out(galleries.detach_from_product(product_id, file_id))


@route(bp, "POST", "/product-variants/{variant_id}/gallery", summary="Append ready files to a variant's gallery",
       body=GalleryAttach, response=GalleryOut, permission="product_variants.update", message=messages.GALLERY_UPDATED,
       replay=_replay_gallery)
def attach_variant_gallery(req: Req, variant_id: str) -> GalleryOut:
    return gallery_out(galleries.attach_to_variant(variant_id, req.body.file_ids, actor=req.principal))


@route(bp, "DELETE", "/product-variants/{variant_id}/gallery/{file_id}",
       summary="Take a file out of a variant's gallery", response=GalleryOut, permission="product_variants.update",
       message=messages.IMAGE_REMOVED)
def detach_variant_gallery(req: Req, variant_id: str, file_id: str) -> GalleryOut:
    return gallery_out(galleries.detach_from_variant(variant_id, file_id))
