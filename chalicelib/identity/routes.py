"""HTTP routes of the identity domain: authentication, roles and the permission catalogue (thin views)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.core.http import Req, route
from chalicelib.core.i18n import T
from chalicelib.core.lazy import lazy_import
from chalicelib.core.pagination import Page, PageQuery
from chalicelib.identity.permissions import PERMISSIONS
from chalicelib.identity.schemas import (
    AuthOut,
    LoginIn,
    MeOut,
    PermissionOut,
    RefreshIn,
    RegisterIn,
    RoleIn,
    RoleOut,
    RolePatch,
    RoleReplace,
    UserOut,
)

if TYPE_CHECKING:
    from chalicelib.identity.services.auth import Authenticated

# Services (and through them PynamoDB/botocore, argon2, PyJWT) load on the first request, not at import.
auth = lazy_import("chalicelib.identity.services.auth")
roles = lazy_import("chalicelib.identity.services.roles")

bp = Blueprint(__name__)

REGISTERED = T("Inscription réussie", "Registration successful")
LOGGED_IN = T("Connexion réussie", "Logged in")
REFRESHED = T("Jetons renouvelés", "Tokens refreshed")
LOGGED_OUT = T("Déconnexion réussie", "Logged out")
ROLE_CREATED = T("Rôle créé avec succès", "Role created")
ROLE_UPDATED = T("Rôle mis à jour avec succès", "Role updated")
ROLE_DELETED = T("Rôle supprimé avec succès", "Role deleted")


def _auth_out(result: Authenticated) -> AuthOut:
    tokens = result.tokens
    return AuthOut(user=UserOut.from_item(result.user), access_token=tokens.access_token,
                   refresh_token=tokens.refresh_token, token_type=tokens.token_type, expires_in=tokens.expires_in)


def _replay_register(user_id: str) -> AuthOut:
    return _auth_out(auth.resume_registration(user_id))


@route(bp, "POST", "/auth/register", summary="Create a customer account and log it in", body=RegisterIn,
       response=AuthOut, status=201, public=True, message=REGISTERED, replay=_replay_register)
def register(req: Req) -> AuthOut:
    return _auth_out(auth.register(req.body))


@route(bp, "POST", "/auth/login", summary="Log in with e-mail and password", body=LoginIn, response=AuthOut,
       public=True, message=LOGGED_IN)
def login(req: Req) -> AuthOut:
    return _auth_out(auth.login(req.body.email, req.body.password, client_ip=req.client_ip))


@route(bp, "POST", "/auth/refresh", summary="Trade a refresh token for a new token pair", body=RefreshIn,
       response=AuthOut, public=True, message=REFRESHED)
def refresh(req: Req) -> AuthOut:
    return _auth_out(auth.refresh(req.body.refresh_token))


@route(bp, "POST", "/auth/logout", summary="Revoke the current session", message=LOGGED_OUT)
def logout(req: Req) -> None:
    auth.logout(req.principal)


@route(bp, "GET", "/auth/me", summary="The caller, with roles and effective permissions", response=MeOut)
def me(req: Req) -> MeOut:
    user = UserOut.from_item(req.principal.user)
    return MeOut(**user.model_dump(), permissions=sorted(req.principal.permissions))


@route(bp, "GET", "/permissions", summary="The permission catalogue", response=PermissionOut, many=True,
       permission="roles.view")
def list_permissions(req: Req) -> list[PermissionOut]:
    return [PermissionOut.of(name) for name in PERMISSIONS]


@route(bp, "GET", "/roles", summary="List roles with their permissions", query=PageQuery, response=RoleOut,
       permission="roles.view")
def list_roles(req: Req) -> Page:
    page = roles.list_roles(req.query)
    return Page(items=[RoleOut.from_item(role) for role in page.items], meta=page.meta)


@route(bp, "POST", "/roles", summary="Create a custom role", body=RoleIn, response=RoleOut, status=201,
       permission="roles.manage", message=ROLE_CREATED, replay=lambda name: RoleOut.from_item(roles.get_role(name, consistent=True)))
def create_role(req: Req) -> RoleOut:
    return RoleOut.from_item(roles.create_role(req.body, actor=req.principal))


@route(bp, "GET", "/roles/{role_id}", summary="One role", response=RoleOut, permission="roles.view")
def get_role(req: Req, role_id: str) -> RoleOut:
    return RoleOut.from_item(roles.get_role(role_id))


@route(bp, "PUT", "/roles/{role_id}", summary="Replace a custom role's description and permissions",
       body=RoleReplace, response=RoleOut, permission="roles.manage", message=ROLE_UPDATED)
def replace_role(req: Req, role_id: str) -> RoleOut:
    return RoleOut.from_item(roles.replace_role(role_id, req.body, actor=req.principal, if_match=req.if_match))


@route(bp, "PATCH", "/roles/{role_id}", summary="Update some fields of a custom role (description, permissions)",
       body=RolePatch, response=RoleOut, permission="roles.manage", message=ROLE_UPDATED)
def patch_role(req: Req, role_id: str) -> RoleOut:
    return RoleOut.from_item(roles.replace_role(role_id, req.body, actor=req.principal, if_match=req.if_match))


@route(bp, "DELETE", "/roles/{role_id}", summary="Delete a custom role nobody holds", permission="roles.manage",
       message=ROLE_DELETED)
def delete_role(req: Req, role_id: str) -> None:
    roles.delete_role(role_id, actor=req.principal, if_match=req.if_match)
