"""Who sees what of the catalog (plain functions over the principal)."""
from __future__ import annotations

from typing import Any


def sees_inactive_catalog(principal: Any) -> bool:
    """Catalog staff see inactive and soft-deleted entries; everyone else only active, live ones."""
    return bool(getattr(principal, "sees_inactive_catalog", False))


def sees_inactive_stores(principal: Any) -> bool:
    """People who run stores see inactive ones; everyone else never (stores/policies.store_shown)."""
    return bool(getattr(principal, "sees_inactive_stores", False))
