"""HTTP routes of the users domain (thin views: parse, authorize, call a service, respond)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.core.errors import Forbidden
from chalicelib.core.http import Req, route
from chalicelib.core.i18n import T
from chalicelib.core.lazy import lazy_import
from chalicelib.core.pagination import Page
from chalicelib.users import policies
from chalicelib.users.schemas import (
    UserCreate,
    UserListQuery,
    UserOut,
    UserPatch,
    UserReplace,
)

bp = Blueprint(__name__)
services = lazy_import("chalicelib.users.services")  # PynamoDB loads on the first request, not at import

USER_CREATED = T("Utilisateur créé avec succès", "User created")
USER_UPDATED = T("Utilisateur mis à jour avec succès", "User updated")
USER_DELETED = T("Utilisateur supprimé avec succès", "User deleted")
USER_RESTORED = T("Utilisateur restauré avec succès", "User restored")


def _user_out(user_id: str) -> UserOut:
    return UserOut.from_item(services.get_user(user_id, consistent=True))


@route(bp, "GET", "/users", summary="List users (filters: role, trashed=with|only)", query=UserListQuery,
       response=UserOut, permission="users.view")
def list_users(req: Req) -> Page:
    return services.list_users(req.query)


@route(bp, "POST", "/users", summary="Create a user (roles: admins only)", body=UserCreate, response=UserOut,
       status=201, permission="users.create", message=USER_CREATED, replay=_user_out)
def create_user(req: Req) -> UserOut:
    return UserOut.from_item(services.create_user(req.body, actor=req.principal))


@route(bp, "GET", "/users/{user_id}", summary="One user (users.view, or oneself)", response=UserOut)
def get_user(req: Req, user_id: str) -> UserOut:
    if not policies.can_view_user(req.principal, user_id):
        raise Forbidden()
    return UserOut.from_item(services.get_user(user_id))


@route(bp, "PUT", "/users/{user_id}", summary="Replace a user (users.update, or oneself)", body=UserReplace,
       response=UserOut, message=USER_UPDATED)
def replace_user(req: Req, user_id: str) -> UserOut:
    changes = req.body.model_dump(exclude_unset=True)
    return UserOut.from_item(services.update_user(user_id, changes, actor=req.principal, if_match=req.if_match))


@route(bp, "PATCH", "/users/{user_id}", summary="Update some fields of a user (users.update, or oneself)",
       body=UserPatch, response=UserOut, message=USER_UPDATED)
def update_user(req: Req, user_id: str) -> UserOut:
    changes = req.body.model_dump(exclude_unset=True)
    return UserOut.from_item(services.update_user(user_id, changes, actor=req.principal, if_match=req.if_match))


@route(bp, "DELETE", "/users/{user_id}", summary="Soft-delete a user (its e-mail stays reserved)",
       permission="users.delete", message=USER_DELETED)
def delete_user(req: Req, user_id: str) -> None:
    services.delete_user(user_id, actor=req.principal, if_match=req.if_match)


@route(bp, "POST", "/users/{user_id}/restore", summary="Restore a soft-deleted user", response=UserOut,
       permission="users.restore", message=USER_RESTORED)
def restore_user(req: Req, user_id: str) -> UserOut:
    return UserOut.from_item(services.restore_user(user_id, actor=req.principal, if_match=req.if_match))
