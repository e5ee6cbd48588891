"""Shared pieces of the stores use cases: messages, the store a request names, rendering (the caller's
membership key is the store scope's: catalog/links/policies.member_key_of)."""
from __future__ import annotations

from typing import Any

from chalicelib.core.errors import NotFound
from chalicelib.core.i18n import T
from chalicelib.identity.authn import Principal
from chalicelib.stores import policies
from chalicelib.stores.models import StoreItem
from chalicelib.stores.schemas import StoreAddressOut, StoreOut

STORE_NOT_FOUND = T("Magasin non trouvé", "Store not found")
SLUG_TAKEN = T("Ce slug est déjà utilisé par un autre magasin.", "This slug is already used by another store.")
USER_MISSING = T("L'utilisateur {id} n'existe pas.", "User {id} does not exist.")
MEMBER_NOT_FOUND = T("Cet utilisateur n'appartient pas à ce magasin", "This user does not belong to this store")
DELETION_PENDING = T("La suppression du magasin est en cours, réessayez", "The store deletion is in progress, retry")


def live_store(item: Any) -> StoreItem:
    """The store a request names, or 404 when it is absent or being deleted."""
    if not isinstance(item, StoreItem) or item.deleting_at:
        raise NotFound(STORE_NOT_FOUND)
    return item


def visible_store(item: Any, actor: Principal) -> StoreItem:
    """As live_store, and customers do not see inactive stores."""
    store = live_store(item)
    if not policies.store_shown(store, sees_inactive=policies.sees_inactive_stores(actor)):
        raise NotFound(STORE_NOT_FOUND)
    return store


def store_out(item: StoreItem) -> StoreOut:
    address = StoreAddressOut.model_validate(item.address) if item.address else None
    return StoreOut(id=item.id, name=item.name, slug=item.slug, description=item.description, email=item.email,
                    phone=item.phone, currency=item.currency, address=address, is_active=bool(item.is_active),
                    created_at=item.created_at, updated_at=item.updated_at)
