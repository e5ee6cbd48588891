"""Store members: list them with user summaries, attach users, detach one."""
from __future__ import annotations

from typing import Any

from chalicelib.catalog.links.policies import member_key_of
from chalicelib.core import keys
from chalicelib.core.batch import batch_get, paginate_and_fetch
from chalicelib.core.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.core.pagination import Page, PageQuery
from chalicelib.core.table import open_condition
from chalicelib.core.tx import Tx, TxCancelled
from chalicelib.identity.authn import Principal
from chalicelib.identity.models import UserItem
from chalicelib.stores import policies
from chalicelib.stores.models import (
    StoreItem,
    StoreMemberItem,
    store_member_item,
    store_members_total,
)
from chalicelib.stores.schemas import AttachUsersOut, MemberOut
from chalicelib.stores.services.common import MEMBER_NOT_FOUND, STORE_NOT_FOUND, USER_MISSING, live_store

_USERS_PER_TX = 48  # 2 parts per new member (user check, membership) + store check + total ≤ 100


def _require_scope(store_id: str, found: dict[tuple[str, str], Any], actor: Principal) -> StoreItem:
    store = live_store(found.get(keys.store_key(store_id)))
    member = member_key_of(store_id, actor)
    if not policies.can_manage_store(actor, is_member=member is None or member in found):
        raise Forbidden()
    return store


def list_members(store_id: str, params: PageQuery, *, actor: Principal) -> Page[MemberOut]:
    """A store's members (id, name, email): Query the store's partition, then one BatchGetItem."""

    def query(limit: int, start: dict[str, Any] | None) -> Any:
        return StoreMemberItem.query(keys.store_key(store_id)[0], StoreMemberItem.sk.startswith(keys.STORE_MEMBER_PREFIX),
                                     limit=limit, page_size=limit, last_evaluated_key=start)

    member = member_key_of(store_id, actor)
    page, found = paginate_and_fetch(query, params=params, scope=f"store:{store_id}:users",
                                     total=store_members_total(store_id), index="",
                                     extra=[keys.store_key(store_id)] + ([member] if member else []),
                                     target=lambda row: keys.user_key(row.user_id))
    _require_scope(store_id, found, actor)
    items = []
    for row in page.items:
        user = found.get(keys.user_key(row.user_id))
        items.append(MemberOut(id=row.user_id, name=getattr(user, "name", None), email=getattr(user, "email", None),
                               joined_at=row.created_at))
    return Page(items=items, meta=page.meta)


def attach_users(store_id: str, user_ids: list[str], *, actor: Principal) -> AttachUsersOut:
    """Make users members of a store; users already in it stay as they are (idempotent)."""
    wanted = list(dict.fromkeys(user_ids))
    index_of = {uid: user_ids.index(uid) for uid in wanted}
    caller = member_key_of(store_id, actor)
    found = batch_get([keys.store_key(store_id)] + ([caller] if caller else [])
                      + [keys.store_member_key(store_id, uid) for uid in wanted])
    _require_scope(store_id, found, actor)
    already = [uid for uid in wanted if keys.store_member_key(store_id, uid) in found]
    new = [uid for uid in wanted if uid not in already]
    if len(new) > _USERS_PER_TX:
        # Several transactions: check every user first so a missing one fails the request before any write.
        users = batch_get(keys.user_key(uid) for uid in new)
        missing = [uid for uid in new if not _live_user(users.get(keys.user_key(uid)))]
        if missing:
            raise _users_missing(missing, index_of)
    attached: list[str] = []
    for start in range(0, len(new), _USERS_PER_TX):
        chunk = new[start:start + _USERS_PER_TX]
        tx = Tx()
        tx.check(StoreItem, keys.store_key(store_id), open_condition(), label="store")
        for uid in chunk:
            tx.check(UserItem, keys.user_key(uid), UserItem.pk.exists() & UserItem.deleted_at.does_not_exist(),
                     label=f"user:{uid}")
            tx.create(store_member_item(store_id, uid), label=f"member:{uid}")
        tx.count(store_members_total(store_id), len(chunk))
        try:
            tx.commit()
        except TxCancelled as exc:
            if "store" in exc.failed:
                raise NotFound(STORE_NOT_FOUND) from None
            missing = [label.split(":", 1)[1] for label in exc.failed if label.startswith("user:")]
            if missing:
                raise _users_missing(missing, index_of) from None
            if any(label.startswith("member:") for label in exc.failed):
                # Someone attached one of them meanwhile: start over, the read now sees it.
                rest = attach_users(store_id, [uid for uid in wanted if uid not in attached], actor=actor)
                return AttachUsersOut(store_id=store_id, attached=attached + rest.attached,
                                      already_attached=[uid for uid in wanted if uid not in attached + rest.attached])
            raise
        attached += chunk
    return AttachUsersOut(store_id=store_id, attached=attached, already_attached=already)


def _live_user(item: Any) -> bool:
    return isinstance(item, UserItem) and not item.deleted_at


def _users_missing(missing: list[str], index_of: dict[str, int]) -> ValidationFailed:
    return ValidationFailed(errors={f"user_ids.{index_of[uid]}": [USER_MISSING.render(id=uid)] for uid in missing})


def detach_user(store_id: str, user_id: str, *, actor: Principal) -> None:
    """Remove a user from a store: one transaction (the caller's own membership checked in it)."""
    tx = Tx()
    caller = member_key_of(store_id, actor)
    if caller is not None and caller != keys.store_member_key(store_id, user_id):
        tx.check(StoreMemberItem, caller, StoreMemberItem.pk.exists(), label="actor")
    tx.delete(StoreMemberItem, keys.store_member_key(store_id, user_id), condition=StoreMemberItem.pk.exists(),
              label="member")
    tx.count(store_members_total(store_id), -1)
    try:
        tx.commit()
    except TxCancelled as exc:
        if "actor" in exc.failed:
            raise Forbidden() from None
        if "member" in exc.failed:
            raise NotFound(MEMBER_NOT_FOUND) from None
        raise
