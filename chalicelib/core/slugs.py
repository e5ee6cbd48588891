"""Unique slugs for products, categories and stores: `t-shirt`, `t-shirt-1`, `t-shirt-2`… handed out by a sequence per base slug.

The sequence is one atomic ADD (no two requests get the same suffix, even at the same instant); the slug
itself is then reserved (`tx.reserve`) in the caller's transaction, which fails on the rare collision
with a slug that another base produced (a product named "T-shirt 1"): the caller asks for the next one.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from slugify import slugify

from chalicelib.core import keys
from chalicelib.core.table import Entity
from chalicelib.core.tx import Counter

if TYPE_CHECKING:
    from chalicelib.core.tx import Tx

MAX_BASE = 180  # leaves room for the suffix within 191 characters


def base_slug(name: str, fallback: str) -> str:
    """The slug of a name (ASCII, lower-case, hyphens); `fallback` when the name has no letters or digits."""
    return slugify(name, max_length=MAX_BASE, word_boundary=False) or fallback


def next_slug(kind: str, base: str) -> str:
    """The next candidate for `base`: the base itself first, then base-1, base-2… (one UpdateItem)."""
    pk, sk = keys.sequence_key(kind, base)
    reply = Entity._get_connection().update_item(pk, range_key=sk, actions=[Counter.total.add(1)],
                                                 return_values="UPDATED_NEW")
    n = int(reply["Attributes"]["total"]["N"])
    return base if n == 1 else f"{base}-{n - 1}"


def slug_owner(kind: str, slug: str) -> str | None:
    """Who holds a slug (the reservation item stores the owner id): one GetItem."""
    pk, sk = keys.unique_key(kind, slug)
    item = Entity._get_connection().get_item(pk, range_key=sk, attributes_to_get=["owner_id"]).get("Item")
    return item["owner_id"]["S"] if item and "owner_id" in item else None


SLUG_ATTEMPTS = 25
SLUG_LABELS = {"slug", "sequence"}


def commit_with_unique_slug(kind: str, base: str, owner_id: str, build: Callable[[str], Tx]) -> str:
    """Commit `build(slug)` with the slug reserved; the first try takes the base and starts its sequence in the
    same transaction (no extra call for a new name), later tries take base-1, base-2… from the sequence."""
    from chalicelib.core.tx import TxCancelled

    slug, first = base, True
    for _ in range(SLUG_ATTEMPTS):
        tx = build(slug)
        tx.reserve(kind, slug, owner_id, label="slug")
        if first:
            tx.update(Counter, keys.sequence_key(kind, base), [Counter.total.set(1)],
                      condition=Counter.pk.does_not_exist(), label="sequence")
        try:
            tx.commit(created_id=owner_id)
            return slug
        except TxCancelled as exc:
            if not exc.failed or set(exc.failed) - SLUG_LABELS:
                raise
        first = False
        slug = next_slug(kind, base)
    from chalicelib.core.concurrency import lost_every_race

    raise lost_every_race("slug.reserve")
