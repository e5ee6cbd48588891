"""Who may see which addresses: the owner always; an admin may read anyone's."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.identity.authn import Principal


def can_list_addresses_of(principal: Principal, user_id: str) -> bool:
    return principal.user_id == user_id or principal.is_admin


def can_read_any_address(principal: Principal) -> bool:
    """Admins read an address by id alone; everyone else only finds their own (others' → 404)."""
    return principal.is_admin
