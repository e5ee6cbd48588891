"""Transactions with named parts: a cancelled transaction says which part failed, so callers map it to 409/404/412.

Every commit carries a ClientRequestToken, the same one for every attempt of that write (botocore's retries resend
the request as it is; this module's own retries pass it again): when an attempt was applied but its answer was
lost (a timeout), the next attempt gets DynamoDB's success instead of failing its own conditions (an e-mail or slug
"already taken" by the very write being retried). DynamoDB remembers a token for 10 minutes."""
from __future__ import annotations

import time
import uuid
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib.core import keys
from chalicelib.core.errors import TxCancelled
from chalicelib.core.idempotency import (
    IdempotencyClaim,
    IdempotentReplay,
    body_hash,
    current_claim,
    set_idempotency_claim,
)
from chalicelib.core.table import Entity, error_code, is_transport_error

__all__ = ["Tx", "TxCancelled", "IdempotencyClaim", "IdempotentReplay", "IdempotencyRecord", "UniqueValue",
           "Counter", "read_total", "body_hash", "current_claim", "set_idempotency_claim"]

MAX_ITEMS = 100  # DynamoDB's TransactWriteItems limit
# Transport errors come after botocore's own retries (each up to the client's 5 s read timeout): one write
# stops retrying after this long and answers 503, well inside API Gateway's 29 s.
RETRY_BUDGET_SECONDS = 10.0
# Still running the first attempt with this token (its answer was lost): wait and ask again, same token.
_IN_PROGRESS = "TransactionInProgressException"


class IdempotencyRecord(Entity, discriminator="idempotency"):
    """A spent Idempotency-Key: which request body it went with and what it created (24 h TTL)."""

    body_hash = UnicodeAttribute(null=True)  # UnicodeAttribute
    route = UnicodeAttribute(null=True)
    resource_id = UnicodeAttribute(null=True)


IDEMPOTENCY_TTL = 24 * 3600


def _kwargs(cls: type[Entity], key: tuple[str, str], **kw: Any) -> dict[str, Any]:
    return cls._get_connection().get_operation_kwargs(key[0], range_key=key[1], key="Key", **kw)


class Tx:
    """Collects the writes of one use case and commits them in one TransactWriteItems call."""

    def __init__(self) -> None:
        self._parts: list[tuple[str, dict[str, Any], str]] = []  # (kind, kwargs, label)

    def __len__(self) -> int:
        return len(self._parts)

    def put(self, item: Entity, *, label: str = "", condition: Condition | None = None) -> None:
        """Write a whole item (a create, or a replace guarded by `condition`)."""
        kwargs = item.get_save_kwargs_from_instance(condition=condition)
        self._parts.append(("Put", kwargs, label or item.pk))

    def create(self, item: Entity, *, label: str = "") -> None:
        """Put an item that must not exist yet."""
        self.put(item, label=label, condition=Entity.pk.does_not_exist())

    def update(self, cls: type[Entity], key: tuple[str, str], actions: list[Action], *,
               condition: Condition | None = None, label: str = "") -> None:
        kwargs = _kwargs(cls, key, actions=actions, condition=condition)
        self._parts.append(("Update", kwargs, label or key[0]))

    def delete(self, cls: type[Entity], key: tuple[str, str], *, condition: Condition | None = None,
               label: str = "") -> None:
        kwargs = _kwargs(cls, key, condition=condition)
        self._parts.append(("Delete", kwargs, label or key[0]))

    def check(self, cls: type[Entity], key: tuple[str, str], condition: Condition, *, label: str = "") -> None:
        """Require `condition` on an item this transaction does not write (e.g. a referenced parent exists)."""
        kwargs = _kwargs(cls, key, condition=condition)
        self._parts.append(("ConditionCheck", kwargs, label or key[0]))

    def reserve(self, kind: str, value: str, owner_id: str, *, label: str = "") -> None:
        """Claim a unique value (e-mail, slug, SKU); fails with `label` if someone holds it."""
        item = UniqueValue(*keys.unique_key(kind, value), owner_id=owner_id)
        self.create(item, label=label or f"unique:{kind}")

    def release(self, kind: str, value: str, *, label: str = "") -> None:
        self.delete(Entity, keys.unique_key(kind, value), label=label or f"release:{kind}")

    def count(self, name: str, delta: int = 1) -> None:
        """Move a list total in the same transaction as the write it counts."""
        self.update(Counter, keys.counter_key(name), [Counter.total.add(delta)], label=f"count:{name}")


    def commit(self, *, created_id: str | None = None, attempts: int = 3) -> None:
        """Send the transaction; a create also spends the request's Idempotency-Key, atomically."""
        claim = current_claim()
        if claim is not None and created_id is not None:
            record = IdempotencyRecord(*keys.idempotency_key(claim.actor_id, claim.key), body_hash=claim.body_hash,
                                       route=claim.route, resource_id=created_id,
                                       expires_at=int(time.time()) + IDEMPOTENCY_TTL)
            self.create(record, label="idempotency")
        if len(self._parts) > MAX_ITEMS:
            raise ValueError(f"transaction of {len(self._parts)} items exceeds {MAX_ITEMS}")
        groups: dict[str, list[tuple[dict[str, Any], str]]] = {"ConditionCheck": [], "Delete": [], "Put": [], "Update": []}
        for kind, kwargs, label in self._parts:
            groups[kind].append((kwargs, label))
        labels = [label for kind in groups for _, label in groups[kind]]
        connection = Entity._get_connection().connection
        token = str(uuid.uuid4())  # one per logical write, reused by every attempt below
        started = time.monotonic()
        for attempt in range(attempts):
            try:
                connection.transact_write_items(
                    condition_check_items=[k for k, _ in groups["ConditionCheck"]],
                    delete_items=[k for k, _ in groups["Delete"]],
                    put_items=[k for k, _ in groups["Put"]],
                    update_items=[k for k, _ in groups["Update"]],
                    client_request_token=token,
                )
                return
            except TransactWriteError as exc:
                last = attempt + 1 == attempts
                code = error_code(exc)
                if code == "TransactionCanceledException":
                    reasons = list(exc.cancellation_reasons or [])
                    failed = [labels[i] for i, r in enumerate(reasons)
                              if r is not None and r.code == "ConditionalCheckFailed"]
                    if failed:
                        if "idempotency" in failed and claim is not None:
                            raise IdempotentReplay(claim) from exc
                        raise TxCancelled(failed) from exc
                    if last:  # only TransactionConflict left: another writer won every time
                        raise TxCancelled([]) from exc
                elif code == _IN_PROGRESS or is_transport_error(exc):
                    # Maybe applied, maybe not: only the same token can tell. Out of attempts or time, the
                    # error goes up as it is and the pipeline answers 503 with Retry-After.
                    if last or time.monotonic() - started > RETRY_BUDGET_SECONDS:
                        raise
                else:
                    raise
                time.sleep(0.02 * (2 ** attempt))


class UniqueValue(Entity, discriminator="unique"):
    """Reservation item behind every uniqueness rule."""

    owner_id = UnicodeAttribute(null=True)


class Counter(Entity, discriminator="counter"):
    """A list total."""

    total = NumberAttribute(default=0)


def read_total(name: str) -> int:
    """The current value of a list total (0 when nothing was ever counted)."""
    pk, sk = keys.counter_key(name)
    item = Entity._get_connection().get_item(pk, range_key=sk, attributes_to_get=["total"]).get("Item")
    return int(item["total"]["N"]) if item else 0
