"""Address use cases: list, read, create, update, delete; at most one default address per user."""
from __future__ import annotations

from typing import Any

from pynamodb.expressions.condition import Condition
from ulid import ULID

from chalicelib.addresses import policies
from chalicelib.addresses.models import AddressBookItem, AddressItem, addresses_total
from chalicelib.addresses.schemas import (
    ADDRESS_FIELDS,
    AddressCreate,
    AddressListQuery,
    AddressOut,
)
from chalicelib.core import keys
from chalicelib.core.batch import batch_get
from chalicelib.core.concurrency import StaleVersion, guarded_write, lost_every_race, require_match
from chalicelib.core.errors import Forbidden, NotFound, PreconditionFailed
from chalicelib.core.pagination import Page, paginate
from chalicelib.core.table import now_iso
from chalicelib.core.tx import Tx, TxCancelled
from chalicelib.identity.authn import Principal

ATTEMPTS = 3  # re-reads after a concurrent write (e.g. another "make default") before answering 409


def list_addresses(params: AddressListQuery, *, actor: Principal) -> Page[AddressItem]:
    """The caller's addresses (an admin may name another user with `user_id`), oldest first."""
    owner = params.user_id or actor.user_id
    if not policies.can_list_addresses_of(actor, owner):
        raise Forbidden()
    partition = keys.address_key(owner, "")[0]

    def query(limit: int, start: dict[str, Any] | None) -> Any:
        return AddressItem.query(partition, AddressItem.sk.startswith(keys.address_partition_prefix()),
                                 limit=limit, page_size=limit, last_evaluated_key=start)

    return paginate(query, params=params, scope=f"addresses:{owner}", total=addresses_total(owner))


def find_address(address_id: str) -> AddressItem:
    """Any address by id alone (gsi1 lookup), or 404; callers decide who may see it."""
    for item in AddressItem.gsi1.query(keys.address_lookup_partition(address_id), limit=1):
        if isinstance(item, AddressItem):
            return item
    raise NotFound()


def get_address(address_id: str, *, actor: Principal) -> AddressItem:
    """The caller's address by id; an admin finds anyone's through the gsi1 lookup. Otherwise 404."""
    if policies.can_read_any_address(actor):
        return find_address(address_id)
    try:
        return AddressItem.get(*keys.address_key(actor.user_id, address_id))
    except AddressItem.DoesNotExist:
        raise NotFound() from None


def create_address(data: AddressCreate, *, actor: Principal) -> AddressItem:
    """A new address of the caller; `is_default` moves the default to it in the same transaction."""
    owner = actor.user_id
    address_id = str(ULID())
    now = now_iso()
    address = AddressItem(*keys.address_key(owner, address_id), id=address_id, user_id=owner,
                          is_default=data.is_default, created_at=now, updated_at=now,
                          gsi1pk=keys.address_lookup_partition(address_id), gsi1sk="ADDRESS",
                          **{field: getattr(data, field) for field in ADDRESS_FIELDS})
    for attempt in range(ATTEMPTS):
        tx = Tx()
        tx.create(address, label="address")
        tx.count(addresses_total(owner))
        if data.is_default:
            _move_default(tx, owner, address_id, _default_of(owner))
        try:
            tx.commit(created_id=address_id)
            return address
        except TxCancelled as exc:
            if "book" not in exc.failed:
                raise
    raise lost_every_race("address.create")


def update_address(address_id: str, changes: dict[str, Any], *, actor: Principal, if_match: str | None) -> AddressItem:
    """Change the caller's address (PUT sends every field, PATCH some), guarded by its version; a
    concurrent write is retried from a fresh read unless If-Match pinned the version (then 412)."""
    owner = actor.user_id
    for attempt in range(ATTEMPTS):
        address, default_id = _read(owner, address_id)
        require_match(if_match, AddressOut.from_item(address))
        updated = AddressItem.from_raw_data(address.to_dynamodb_dict())
        for field, value in changes.items():
            setattr(updated, field, value)
        if updated.to_dynamodb_dict() == address.to_dynamodb_dict():
            return address
        updated.version = address.version + 1
        updated.updated_at = now_iso()
        tx = Tx()
        tx.put(updated, label="address", condition=AddressItem.version == address.version)
        if updated.is_default and default_id != address_id:
            _move_default(tx, owner, address_id, default_id)
        elif not updated.is_default and default_id == address_id:
            _clear_default(tx, owner, address_id)
        try:
            tx.commit()
            return updated
        except TxCancelled as exc:
            if if_match and "address" in exc.failed:
                raise PreconditionFailed() from None
            if not {"address", "book"} & set(exc.failed):
                raise
    raise lost_every_race("address.update")


def delete_address(address_id: str, *, actor: Principal, if_match: str | None) -> None:
    """Delete the caller's address (and the default pointer when it was the default)."""
    owner = actor.user_id
    guarded_write(lambda: _read(owner, address_id), lambda read: AddressOut.from_item(read[0]),
                  lambda read: _delete(owner, *read), if_match)


def _delete(owner: str, address: AddressItem, default_id: str | None) -> None:
    address_id = address.id
    tx = Tx()
    tx.delete(AddressItem, keys.address_key(owner, address_id), label="address",
              condition=AddressItem.version == address.version)
    tx.count(addresses_total(owner), -1)
    if default_id == address_id:
        _clear_default(tx, owner, address_id)
    try:
        tx.commit()
    except TxCancelled:
        raise StaleVersion() from None


# --- the default pointer ---------------------------------------------------------------------------
def _read(owner: str, address_id: str) -> tuple[AddressItem, str | None]:
    """The address and the current default id, in one consistent BatchGetItem."""
    wanted = [keys.address_key(owner, address_id), keys.address_book_key(owner)]
    found = batch_get(wanted)
    address, book = found.get(wanted[0]), found.get(wanted[1])
    if not isinstance(address, AddressItem):
        raise NotFound()
    return address, book.default_id if isinstance(book, AddressBookItem) else None


def _default_of(owner: str) -> str | None:
    try:
        return AddressBookItem.get(*keys.address_book_key(owner), consistent_read=True).default_id
    except AddressBookItem.DoesNotExist:
        return None


def _pointer_is(default_id: str | None) -> Condition:
    return AddressBookItem.default_id == default_id if default_id else AddressBookItem.default_id.does_not_exist()


def _move_default(tx: Tx, owner: str, address_id: str, previous: str | None) -> None:
    """Point the book at `address_id` if it still points where we read; unset the previous default."""
    tx.update(AddressBookItem, keys.address_book_key(owner),
              [AddressBookItem.default_id.set(address_id), AddressBookItem.user_id.set(owner),
               AddressBookItem.type.set(AddressBookItem), AddressBookItem.updated_at.set(now_iso())],
              condition=_pointer_is(previous), label="book")
    if previous and previous != address_id:
        tx.update(AddressItem, keys.address_key(owner, previous),
                  [AddressItem.is_default.set(False), AddressItem.version.add(1), AddressItem.updated_at.set(now_iso())],
                  condition=AddressItem.pk.exists(), label="previous-default")


def _clear_default(tx: Tx, owner: str, address_id: str) -> None:
    tx.update(AddressBookItem, keys.address_book_key(owner), [AddressBookItem.default_id.remove()],
              condition=_pointer_is(address_id), label="book")
