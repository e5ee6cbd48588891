"""Shared pieces of the stores use cases: messages, reads by key, If-Match, rendering."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from chalicelib.core import keys
from chalicelib.core.errors import Forbidden, NotFound, PreconditionFailed
from chalicelib.core.http import etag_of
from chalicelib.core.i18n import T
from chalicelib.core.pagination import Page, PageQuery, paginate
from chalicelib.core.table import Entity
from chalicelib.core.tx import Tx, TxCancelled
from chalicelib.identity.authn import Principal
from chalicelib.stores import policies
from chalicelib.stores.models import StockItem, StoreItem, StoreMemberItem
from chalicelib.stores.schemas import AddressOut, StockOut, StoreOut

STORE_NOT_FOUND = T("Magasin non trouvé", "Store not found")
STORE_MISSING = T("Le magasin {id} n'existe pas.", "Store {id} does not exist.")
SLUG_TAKEN = T("Ce slug est déjà utilisé par un autre magasin.", "This slug is already used by another store.")
USER_MISSING = T("L'utilisateur {id} n'existe pas.", "User {id} does not exist.")
MEMBER_NOT_FOUND = T("Cet utilisateur n'appartient pas à ce magasin", "This user does not belong to this store")
PRODUCT_NOT_FOUND = T("Produit non trouvé", "Product not found")
LINK_NOT_FOUND = T("Ce produit n'est pas rattaché à ce magasin", "This product is not attached to this store")
NOT_ATTACHED = T("Le produit n'est pas rattaché à ce magasin.", "The product is not attached to this store.")
VARIANT_NOT_FOUND = T("Variante non trouvée", "Variant not found")
STOCK_NOT_FOUND = T("Aucun stock pour cette variante dans ce magasin", "No stock for this variant in this store")
STOCK_INSUFFICIENT = T("Stock insuffisant : la quantité ne peut pas devenir négative",
                       "Insufficient stock: the quantity cannot go below zero")
STOCK_ABOVE_CAP = T("Stock trop élevé : la quantité ne peut pas dépasser 1 000 000 000",
                    "Stock too high: the quantity cannot exceed 1,000,000,000")
DELETION_PENDING = T("La suppression du magasin est en cours, réessayez", "The store deletion is in progress, retry")


def batch_get(wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """Several items by key, strongly consistent, in one BatchGetItem per 100 keys, keyed by (pk, sk).

    Typed items come back as their Entity subclass; counters (written by `tx.count`, untyped) as raw data,
    read with `counter_value`.
    """
    unique = list(dict.fromkeys(wanted))
    found: dict[tuple[str, str], Any] = {}
    connection = Entity._get_connection()
    client, table = connection.connection.client, connection.table_name
    for start in range(0, len(unique), 100):
        request: dict[str, Any] = {table: {"ConsistentRead": True, "Keys": [
            {"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in unique[start:start + 100]]}}
        while request:
            answer = client.batch_get_item(RequestItems=request)
            for raw in answer.get("Responses", {}).get(table, []):
                key = (raw["pk"]["S"], raw["sk"]["S"])
                found[key] = Entity.from_raw_data(raw) if "type" in raw else raw
            request = answer.get("UnprocessedKeys") or {}
    return found


def counter_value(found: dict[tuple[str, str], Any], name: str) -> int:
    value = found.get(keys.counter_key(name))
    if isinstance(value, dict):
        return int(value.get("total", {}).get("N", 0))
    return int(getattr(value, "total", 0) or 0)


def paginate_and_fetch(query: Callable[[int, dict[str, Any] | None], Iterable[Any]], *, params: PageQuery,
                       scope: str, total: str, index: str, extra: list[tuple[str, str]],
                       target: Callable[[Any], tuple[str, str]]) -> tuple[Page[Any], dict[tuple[str, str], Any]]:
    """A page of a key/index query plus ONE BatchGetItem for what it needs: the `extra` items (the parent,
    the caller's membership), the list total (first page only) and each row's `target` item.

    So a list that joins costs Query + BatchGetItem: the total rides in the batch instead of its own GetItem.
    """
    rows: list[Any] = []
    fetched: dict[tuple[str, str], Any] = {}

    def run(limit: int, start: dict[str, Any] | None) -> list[Any]:
        rows[:] = list(query(limit, start))
        return rows

    def count() -> int:
        fetched.update(batch_get(extra + [keys.counter_key(total)] + [target(r) for r in rows[:params.per_page]]))
        return counter_value(fetched, total)

    page = paginate(run, params=params, scope=scope, total=count, index=index)
    if not fetched:  # a later page: its total came in the cursor
        fetched.update(batch_get(extra + [target(r) for r in page.items]))
    return page, fetched


def get_item(cls: type[Entity], key: tuple[str, str]) -> Any:
    """One item by key (consistent), or None."""
    try:
        return cls.get(*key, consistent_read=True)
    except cls.DoesNotExist:
        return None


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


def member_key_of(store_id: str, actor: Principal) -> tuple[str, str] | None:
    """The caller's membership key when their access to the store depends on it (admins: None)."""
    return None if policies.acts_on_any_store(actor) else keys.store_member_key(store_id, actor.user_id)


# --- the store scope: what non-admins may touch of a store's stock and product links -----------------
# One rule (policies.acts_on_any_store + membership), two ways to apply it: inside the write's own
# transaction (no extra call, no race), or by reading the memberships first where there is no transaction
# to ride (or no room in it).
def check_store_scope(tx: Tx, store_id: str, actor: Principal) -> None:
    """A ConditionCheck on the actor's membership of the store, in the write's transaction (admins: none)."""
    member = member_key_of(store_id, actor)
    if member is not None:
        tx.check(StoreMemberItem, member, StoreMemberItem.pk.exists(), label=f"member:{store_id}")


def out_of_store_scope(exc: TxCancelled) -> bool:
    """Whether a transaction failed on a `check_store_scope` condition (→ 403)."""
    return any(label.startswith("member:") for label in exc.failed)


def store_scope_keys(store_ids: Iterable[str], actor: Principal) -> list[tuple[str, str]]:
    """The membership keys the actor's access to these stores depends on (admins: none)."""
    return [key for key in (member_key_of(sid, actor) for sid in dict.fromkeys(store_ids)) if key is not None]


def require_store_scope(store_ids: Iterable[str], actor: Principal,
                        found: dict[tuple[str, str], Any] | None = None) -> None:
    """403 unless the actor may act on every one of these stores. `found`: memberships already read (from a
    BatchGetItem that carried `store_scope_keys`); otherwise one GetItem (one store) or BatchGetItem."""
    wanted = store_scope_keys(store_ids, actor)
    if not wanted:
        return
    if found is None:
        found = ({wanted[0]: get_item(StoreMemberItem, wanted[0])} if len(wanted) == 1 else batch_get(wanted))
    if any(not isinstance(found.get(key), StoreMemberItem) for key in wanted):
        raise Forbidden()


def store_out(item: StoreItem) -> StoreOut:
    address = AddressOut.model_validate(item.address) if item.address else None
    return StoreOut(id=item.id, name=item.name, slug=item.slug, description=item.description, email=item.email,
                    phone=item.phone, currency=item.currency, address=address, is_active=bool(item.is_active),
                    created_at=item.created_at, updated_at=item.updated_at)


def stock_out(item: StockItem) -> StockOut:
    return StockOut(product_id=item.product_id, variant_id=item.variant_id, store_id=item.store_id,
                    quantity=int(item.quantity or 0), updated_at=item.updated_at)


def check_if_match(if_match: str | None, current: Any) -> None:
    """`If-Match` must name the current representation (its ETag as a GET sends it) or be `*`; else 412."""
    if not if_match:
        return
    wanted = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    if "*" in wanted:
        return
    if etag_of(current.model_dump(mode="json")) not in wanted:
        raise PreconditionFailed()
