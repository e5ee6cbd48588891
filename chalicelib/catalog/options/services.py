"""Options of a product and their values: names unique per parent, limits, in-use rules.

Each create/rename is one transaction whose condition sits on the parent (product or option): it exists,
is not deleted, is under its limit and does not hold the name yet (a case-folded set on the parent).
When that condition fails, one read of the parent tells which rule it was.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ulid import ULID

from chalicelib.catalog import messages as msg
from chalicelib.catalog.products.collection import Collection, load_collection, require_product_visible
from chalicelib.catalog.products.models import OptionItem, OptionValueItem, ProductItem
from chalicelib.catalog.products.schemas import OptionCreate, ValueCreate
from chalicelib.core import keys
from chalicelib.core.concurrency import commit_versioned
from chalicelib.core.errors import AppError, Conflict, NotFound, field_error
from chalicelib.core.i18n import T
from chalicelib.core.lookups import get_item, lookup, lookup_attributes
from chalicelib.core.table import now_iso
from chalicelib.core.tx import MAX_ITEMS, Tx

MAX_OPTIONS = 5
MAX_VALUES = 100


def options_range(product_id: str, option_id: str | None = None) -> Collection:
    """Options and values (all, or from one option on) plus the product item: one Query (sk OPTION#… → PRODUCT)."""
    lower = keys.option_key(product_id, option_id)[1] if option_id else "OPTION#"
    return load_collection(product_id, lower=lower, upper=keys.product_key(product_id)[1])


def _taken_or_full(field: str, key: str | None, taken: Any, count: Any, limit: int, taken_msg: T,
                   limit_msg: T) -> AppError:
    """Which rule of the parent (product or option) a cancelled create/rename broke: the name is taken, the
    parent is full, or (neither) a concurrent change: 409."""
    if key is not None and key in (taken or {}):
        return field_error(field, taken_msg)
    if int(count or 0) >= limit:
        return field_error(field, limit_msg, max=limit)
    return Conflict()


def _product_rule(product_id: str, name_key: str | None) -> AppError:
    """Why a transaction conditioned on the product failed (one GetItem, only on failure)."""
    product = get_item(ProductItem, keys.product_key(product_id))
    if product is None or product.deleted_at:
        return NotFound(msg.PRODUCT_NOT_FOUND)
    return _taken_or_full("name", name_key, product.option_names, product.options_count, MAX_OPTIONS,
                          msg.OPTION_NAME_TAKEN, msg.OPTION_LIMIT)


def _option_rule(option: OptionItem, value_key: str | None) -> AppError:
    try:
        fresh = OptionItem.get(option.pk, option.sk, consistent_read=True)
    except OptionItem.DoesNotExist:
        return NotFound(msg.OPTION_NOT_FOUND)
    return _taken_or_full("value", value_key, fresh.value_keys, fresh.values_count, MAX_VALUES,
                          msg.VALUE_TAKEN, msg.VALUE_LIMIT)


def _value_rules(option: OptionItem, value_key: str | None) -> Callable[[list[str]], AppError | None]:
    """Why a value create or change was cancelled: its option's rules, or the product is gone."""

    def explain(failed: list[str]) -> AppError | None:
        if "option" in failed:
            return _option_rule(option, value_key)
        return NotFound(msg.PRODUCT_NOT_FOUND) if "product" in failed else None

    return explain


def _live_product_check(tx: Tx, product_id: str) -> None:
    tx.check(ProductItem, keys.product_key(product_id),
             ProductItem.pk.exists() & ProductItem.deleted_at.does_not_exist(), label="product")


# --- options ----------------------------------------------------------------------------------------
def get_option(option_id: str) -> OptionItem:
    return lookup(OptionItem, "OPTION", option_id, msg.OPTION_NOT_FOUND)


def read_option(option_id: str, *, sees_inactive: bool) -> tuple[OptionItem, list[OptionValueItem]]:
    """An option and its values (customers: only under a visible product)."""
    option = get_option(option_id)
    found = options_range(option.product_id, option.id)
    require_product_visible(found.product, sees_inactive, msg.OPTION_NOT_FOUND)
    return option, [v for v in found.values if v.option_id == option.id]


def list_options(product_id: str, *, sees_inactive: bool) -> Collection:
    """Every option of a product with its values (at most 5 options: the list comes whole)."""
    found = options_range(product_id)
    require_product_visible(found.product, sees_inactive, msg.PRODUCT_NOT_FOUND)
    return found


def create_option(product_id: str, data: OptionCreate) -> OptionItem:
    """Add an option (≤ 5 per product, name unique within it) to a live product: one transaction."""
    option_id = str(ULID())
    now = now_iso()
    name_key = data.name.casefold()
    option = OptionItem(*keys.option_key(product_id, option_id), id=option_id, product_id=product_id,
                        name=data.name, position=data.position, values_count=0, variants_count=0, value_keys={},
                        created_at=now, updated_at=now, **lookup_attributes("OPTION", option_id))
    tx = Tx()
    tx.create(option, label="option")
    tx.update(ProductItem, keys.product_key(product_id),
              [ProductItem.options_count.add(1), ProductItem.option_names[name_key].set(True)],
              condition=ProductItem.pk.exists() & ProductItem.deleted_at.does_not_exist()
              & (ProductItem.options_count < MAX_OPTIONS) & ProductItem.option_names[name_key].does_not_exist(),
              label="product")
    commit_versioned(tx, lambda failed: _product_rule(product_id, name_key) if "product" in failed else None,
                     created_id=option_id)
    return option


def _change(tx: Tx, item: Any, field: str, changes: dict[str, Any]) -> tuple[str, str, Callable[[], Any]]:
    """Queue, version-guarded, a change of `item`'s `field` (unique within its parent, case-folded) and/or
    `position`: (old key, new key, what sets the item's new state once committed)."""
    cls = type(item)
    text = changes.get(field) or getattr(item, field)
    position = changes.get("position", item.position)
    now = now_iso()
    tx.update(cls, (item.pk, item.sk), [getattr(cls, field).set(text), cls.position.set(position),
                                        cls.updated_at.set(now), cls.version.add(1)],
              condition=cls.version == item.version, label="version")

    def applied() -> Any:
        setattr(item, field, text)
        item.position, item.updated_at, item.version = position, now, item.version + 1
        return item

    return getattr(item, field).casefold(), text.casefold(), applied


def _swap(names: Any, old_key: str, new_key: str) -> list[Any]:
    """A parent's set of taken names: the old one released, the new one taken."""
    return [names[old_key].remove(), names[new_key].set(True)]


def update_option(option: OptionItem, changes: dict[str, Any]) -> OptionItem:
    """Rename and/or move an option (the new name must be free within the product)."""
    tx = Tx()
    old_key, new_key, applied = _change(tx, option, "name", changes)
    renamed = new_key if new_key != old_key else None
    if renamed:
        tx.update(ProductItem, keys.product_key(option.product_id), _swap(ProductItem.option_names, old_key, new_key),
                  condition=ProductItem.pk.exists() & ProductItem.deleted_at.does_not_exist()
                  & ProductItem.option_names[new_key].does_not_exist(), label="product")
    else:
        _live_product_check(tx, option.product_id)
    commit_versioned(tx, lambda failed: _product_rule(option.product_id, renamed) if "product" in failed else None)
    return applied()


def delete_option(option: OptionItem) -> None:
    """Delete an option and its values unless a variant uses one of them (409): one transaction."""
    if int(option.variants_count or 0) > 0:
        raise Conflict(msg.OPTION_IN_USE)
    unused = (OptionItem.version == option.version) & (OptionItem.variants_count == 0)
    value_ids = sorted(option.value_ids or [])
    head, tail = value_ids[: MAX_ITEMS - 2], value_ids[MAX_ITEMS - 2:]
    if tail:  # 100 values + the option + the product exceed one transaction: the last values go first
        first = Tx()
        first.check(OptionItem, (option.pk, option.sk), unused, label="version")
        for value_id in tail:
            first.delete(OptionValueItem, keys.option_value_key(option.product_id, option.id, value_id))
        commit_versioned(first)
    tx = Tx()
    # variants_count sums the use of every value, so this one condition covers them all
    tx.delete(OptionItem, (option.pk, option.sk), condition=unused, label="version")
    for value_id in head:
        tx.delete(OptionValueItem, keys.option_value_key(option.product_id, option.id, value_id), label=f"value:{value_id}")
    tx.update(ProductItem, keys.product_key(option.product_id),
              [ProductItem.options_count.add(-1), ProductItem.option_names[option.name.casefold()].remove()],
              condition=ProductItem.pk.exists(), label="product")
    commit_versioned(tx)


# --- values -----------------------------------------------------------------------------------------
def get_value(value_id: str) -> OptionValueItem:
    return lookup(OptionValueItem, "OPTION_VALUE", value_id, msg.VALUE_NOT_FOUND)


def read_value(value_id: str, *, sees_inactive: bool) -> OptionValueItem:
    """A value (customers: only under a visible product): lookup, then the product."""
    value = get_value(value_id)
    require_product_visible(get_item(ProductItem, keys.product_key(value.product_id)), sees_inactive, msg.VALUE_NOT_FOUND)
    return value


def list_values(option_id: str, *, sees_inactive: bool) -> list[OptionValueItem]:
    """Every value of an option, by position (at most 100: the list comes whole)."""
    return read_option(option_id, sees_inactive=sees_inactive)[1]


def create_value(option_id: str, data: ValueCreate) -> OptionValueItem:
    """Add a value (≤ 100 per option, unique within it) under a live product: one transaction."""
    option = get_option(option_id)
    value_id = str(ULID())
    now = now_iso()
    value_key = data.value.casefold()
    value = OptionValueItem(*keys.option_value_key(option.product_id, option.id, value_id), id=value_id,
                            product_id=option.product_id, option_id=option.id, value=data.value,
                            position=data.position, variants_count=0, created_at=now, updated_at=now,
                            **lookup_attributes("OPTION_VALUE", value_id))
    tx = Tx()
    tx.create(value, label="value")
    tx.update(OptionItem, (option.pk, option.sk),
              [OptionItem.values_count.add(1), OptionItem.value_keys[value_key].set(True),
               OptionItem.value_ids.add({value_id})],
              condition=OptionItem.pk.exists() & (OptionItem.values_count < MAX_VALUES)
              & OptionItem.value_keys[value_key].does_not_exist(), label="option")
    _live_product_check(tx, option.product_id)
    commit_versioned(tx, _value_rules(option, value_key), created_id=value_id)
    return value


def update_value(value: OptionValueItem, changes: dict[str, Any]) -> OptionValueItem:
    """Change a value's text (still unique within its option) and/or position."""
    tx = Tx()
    old_key, new_key, applied = _change(tx, value, "value", changes)
    option_key = keys.option_key(value.product_id, value.option_id)
    if new_key != old_key:
        tx.update(OptionItem, option_key, _swap(OptionItem.value_keys, old_key, new_key),
                  condition=OptionItem.pk.exists() & OptionItem.value_keys[new_key].does_not_exist(), label="option")
    _live_product_check(tx, value.product_id)
    commit_versioned(tx, _value_rules(OptionItem(*option_key), new_key))
    return applied()


def delete_value(value: OptionValueItem) -> None:
    """Delete a value unless a variant uses it (409)."""
    if int(value.variants_count or 0) > 0:
        raise Conflict(msg.VALUE_IN_USE)
    tx = Tx()
    tx.delete(OptionValueItem, (value.pk, value.sk),
              condition=(OptionValueItem.version == value.version) & (OptionValueItem.variants_count == 0),
              label="version")
    tx.update(OptionItem, keys.option_key(value.product_id, value.option_id),
              [OptionItem.values_count.add(-1), OptionItem.value_keys[value.value.casefold()].remove(),
               OptionItem.value_ids.delete({value.id})],
              condition=OptionItem.pk.exists(), label="option")
    commit_versioned(tx)
