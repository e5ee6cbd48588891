"""HTTP routes of the stores domain (thin views: parse, authorize, call a service, respond)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.catalog.links.schemas import StoreProductsQuery
from chalicelib.catalog.products.schemas import ProductDetail
from chalicelib.core.http import Req, route
from chalicelib.core.i18n import T
from chalicelib.core.lazy import lazy_import
from chalicelib.core.pagination import Page, PageQuery
from chalicelib.stores.schemas import (
    AttachUsersOut,
    MemberOut,
    StoreCreate,
    StoreListQuery,
    StoreOut,
    StorePatch,
    UserIdsIn,
)

# Services (and PynamoDB with them) load on the first request that needs them, not at `import app`.
stores = lazy_import("chalicelib.stores.services.stores")
deletion = lazy_import("chalicelib.stores.services.deletion")
members = lazy_import("chalicelib.stores.services.members")
store_listing = lazy_import("chalicelib.catalog.links.listing")
common = lazy_import("chalicelib.stores.services.common")

bp = Blueprint(__name__)

STORE_CREATED = T("Magasin créé avec succès", "Store created successfully")
STORE_UPDATED = T("Magasin mis à jour avec succès", "Store updated successfully")
STORE_DELETED = T("Magasin supprimé avec succès", "Store deleted successfully")
USERS_ATTACHED = T("Utilisateurs rattachés au magasin", "Users attached to the store")
USER_DETACHED = T("Utilisateur retiré du magasin", "User removed from the store")


def _replay_store(store_id: str) -> StoreOut:
    """What a repeated create answers: the store as it is now."""
    return common.store_out(stores.load_store(store_id))


# --- stores -----------------------------------------------------------------------------------------
@route(bp, "GET", "/stores", summary="List stores", query=StoreListQuery, response=StoreOut,
       permission="stores.view")
def list_stores(req: Req) -> Page:
    page = stores.list_stores(req.query, actor=req.principal)
    return Page(items=[common.store_out(item) for item in page.items], meta=page.meta)


@route(bp, "POST", "/stores", summary="Create a store", body=StoreCreate, response=StoreOut, status=201,
       permission="stores.create", message=STORE_CREATED, replay=_replay_store)
def create_store(req: Req) -> StoreOut:
    return common.store_out(stores.create_store(req.body, actor=req.principal))


@route(bp, "GET", "/stores/{store_id}", summary="Get a store", response=StoreOut, permission="stores.view")
def get_store(req: Req, store_id: str) -> StoreOut:
    return common.store_out(stores.get_store(store_id, actor=req.principal))


@route(bp, "PUT", "/stores/{store_id}", summary="Replace a store", body=StoreCreate, response=StoreOut,
       permission="stores.update", message=STORE_UPDATED)
def replace_store(req: Req, store_id: str) -> StoreOut:
    return common.store_out(stores.replace_store(store_id, req.body, actor=req.principal, if_match=req.if_match))


@route(bp, "PATCH", "/stores/{store_id}", summary="Update a store", body=StorePatch, response=StoreOut,
       permission="stores.update", message=STORE_UPDATED)
def update_store(req: Req, store_id: str) -> StoreOut:
    return common.store_out(stores.update_store(store_id, req.body, actor=req.principal, if_match=req.if_match))


@route(bp, "DELETE", "/stores/{store_id}", summary="Delete a store (members, product links and stock with it)",
       permission="stores.delete", message=STORE_DELETED)
def delete_store(req: Req, store_id: str) -> None:
    deletion.delete_store(store_id, actor=req.principal, if_match=req.if_match)


# --- store users ------------------------------------------------------------------------------------
@route(bp, "GET", "/stores/{store_id}/users", summary="List a store's users", query=PageQuery, response=MemberOut,
       permission="stores.attach_users")
def list_store_users(req: Req, store_id: str) -> Page:
    return members.list_members(store_id, req.query, actor=req.principal)


@route(bp, "POST", "/stores/{store_id}/users", summary="Attach users to a store", body=UserIdsIn,
       response=AttachUsersOut, permission="stores.attach_users", message=USERS_ATTACHED)
def attach_store_users(req: Req, store_id: str) -> AttachUsersOut:
    return members.attach_users(store_id, req.body.user_ids, actor=req.principal)


@route(bp, "DELETE", "/stores/{store_id}/users/{user_id}", summary="Detach a user from a store",
       permission="stores.attach_users", message=USER_DETACHED)
def detach_store_user(req: Req, store_id: str, user_id: str) -> None:
    members.detach_user(store_id, user_id, actor=req.principal)


# --- product stores ---------------------------------------------------------------------------------
@route(bp, "GET", "/stores/{store_id}/products", summary="List a store's products (with their prices there)",
       query=StoreProductsQuery, response=ProductDetail, permission="products.view")
def list_store_products(req: Req, store_id: str) -> Page:
    return store_listing.list_store_products(store_id, req.query, sees_inactive=req.principal.sees_inactive_catalog,
                                             check_store=lambda item: common.visible_store(item, req.principal),
                                             sees_inactive_stores=req.principal.sees_inactive_stores)
