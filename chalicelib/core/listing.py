"""Sparse list partitions: where an item is listed (index, partition, sort key) and which total counts it.

An item sits in a partition only while it belongs to that list; when its state changes the index keys
are set or removed and the totals move, all in the caller's transaction, so every list is one Query
and every total is exact.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pynamodb.expressions.update import Action

from chalicelib.core.table import Entity
from chalicelib.core.tx import Tx


@dataclass(frozen=True)
class Slot:
    """One list the item belongs to."""

    index: str  # "gsi1" … "gsi4"
    partition: str
    sort: str
    total: str  # counter name moved with membership


def apply_slots(item: Entity, slots: Iterable[Slot], managed: Iterable[str]) -> None:
    """Set the index keys of a new item (indexes in `managed` that it is not listed by stay empty)."""
    by_index = {slot.index: slot for slot in slots}
    for index in managed:
        slot = by_index.get(index)
        setattr(item, f"{index}pk", slot.partition if slot else None)
        setattr(item, f"{index}sk", slot.sort if slot else None)


def slot_actions(cls: type[Entity], slots: Iterable[Slot], managed: Iterable[str]) -> list[Action]:
    """Update actions that move an existing item into exactly `slots` (for the managed indexes)."""
    by_index = {slot.index: slot for slot in slots}
    actions: list[Action] = []
    for index in managed:
        pk_attr = getattr(cls, f"{index}pk")
        sk_attr = getattr(cls, f"{index}sk")
        slot = by_index.get(index)
        if slot:
            actions += [pk_attr.set(slot.partition), sk_attr.set(slot.sort)]
        else:
            actions += [pk_attr.remove(), sk_attr.remove()]
    return actions


def move_totals(tx: Tx, before: Iterable[Slot], after: Iterable[Slot]) -> None:
    """Counters of lists the item leaves go down, of lists it joins go up."""
    old = {slot.total for slot in before}
    new = {slot.total for slot in after}
    for name in sorted(old - new):
        tx.count(name, -1)
    for name in sorted(new - old):
        tx.count(name, 1)


def query_partition(index: str, partition: str, *, newest_first: bool = True,
                    ) -> Callable[[int, dict[str, Any] | None], list[Entity]]:
    """A `paginate()` query function over one index partition (one Query per page)."""

    def run(limit: int, start_key: dict[str, Any] | None) -> list[Entity]:
        idx = getattr(Entity, index)
        return list(idx.query(partition, scan_index_forward=not newest_first, limit=limit, page_size=limit,
                              last_evaluated_key=start_key))

    return run


def position_sort(position: int, item_id: str) -> str:
    """Sort key ordering by position, then creation (ids are ULIDs)."""
    return f"{position:07d}#{item_id}"
