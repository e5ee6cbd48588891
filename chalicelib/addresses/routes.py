"""HTTP routes of the addresses domain (thin views: parse, authorize, call a service, respond)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.addresses.schemas import (
    AddressCreate,
    AddressListQuery,
    AddressOut,
    AddressPatch,
)
from chalicelib.core.http import Req, route
from chalicelib.core.i18n import T
from chalicelib.core.lazy import lazy_import
from chalicelib.core.pagination import Page

bp = Blueprint(__name__)
services = lazy_import("chalicelib.addresses.services")  # PynamoDB loads on the first request, not at import

ADDRESS_CREATED = T("Adresse créée avec succès", "Address created")
ADDRESS_UPDATED = T("Adresse mise à jour avec succès", "Address updated")
ADDRESS_DELETED = T("Adresse supprimée avec succès", "Address deleted")


def _replay_out(address_id: str) -> AddressOut:
    """A replayed create: the key was spent by this caller, so the address found by id is theirs."""
    return AddressOut.from_item(services.find_address(address_id))


@route(bp, "GET", "/addresses", summary="List one's addresses (admins: ?user_id=)", query=AddressListQuery,
       response=AddressOut)
def list_addresses(req: Req) -> Page:
    page = services.list_addresses(req.query, actor=req.principal)
    return Page(items=[AddressOut.from_item(item) for item in page.items], meta=page.meta)


@route(bp, "POST", "/addresses", summary="Add an address", body=AddressCreate, response=AddressOut, status=201,
       message=ADDRESS_CREATED, replay=_replay_out)
def create_address(req: Req) -> AddressOut:
    return AddressOut.from_item(services.create_address(req.body, actor=req.principal))


@route(bp, "GET", "/addresses/{address_id}", summary="One address (owner; admins: anyone's)", response=AddressOut)
def get_address(req: Req, address_id: str) -> AddressOut:
    return AddressOut.from_item(services.get_address(address_id, actor=req.principal))


@route(bp, "PUT", "/addresses/{address_id}", summary="Replace one's address", body=AddressCreate,
       response=AddressOut, message=ADDRESS_UPDATED)
def replace_address(req: Req, address_id: str) -> AddressOut:
    changes = req.body.model_dump()  # every field: PUT clears what it does not send
    return AddressOut.from_item(services.update_address(address_id, changes, actor=req.principal,
                                                        if_match=req.if_match))


@route(bp, "PATCH", "/addresses/{address_id}", summary="Update some fields of one's address", body=AddressPatch,
       response=AddressOut, message=ADDRESS_UPDATED)
def update_address(req: Req, address_id: str) -> AddressOut:
    changes = req.body.model_dump(exclude_unset=True)
    return AddressOut.from_item(services.update_address(address_id, changes, actor=req.principal,
                                                        if_match=req.if_match))


@route(bp, "DELETE", "/addresses/{address_id}", summary="Delete one's address", message=ADDRESS_DELETED)
def delete_address(req: Req, address_id: str) -> None:
    services.delete_address(address_id, actor=req.principal, if_match=req.if_match)
