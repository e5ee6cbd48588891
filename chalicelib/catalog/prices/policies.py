"""The effective price rule (docs/api.md §6, store prices): what a variant costs in a store."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def base_currency() -> str:
    from chalicelib.core.settings import get_settings

    return get_settings().base_currency


def store_currency(store: Any) -> str:
    """The currency of a store item (typed): its own, or the base currency for a store saved without one."""
    return str(getattr(store, "currency", None) or base_currency())


@dataclass(frozen=True)
class StoreContext:
    """The store a read prices its variants in: its currency, and whether the product is sold there."""

    store_id: str
    currency: str
    attached: bool


def effective_price(variant: Any, override: Any | None, context: StoreContext) -> tuple[str | None, str | None]:
    """(price, compare_at_price) of `variant` in the store: the store's override; else the base prices when the
    store's currency is the base currency; else none (not sold there). A product the store does not carry has
    no price there."""
    if not context.attached:
        return None, None
    if override is not None:
        return override.price, override.compare_at_price
    if context.currency == base_currency():
        return variant.price, variant.compare_at_price
    return None, None
