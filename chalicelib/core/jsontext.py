"""The one JSON decoder for what clients send (request bodies, pagination cursors): bounded depth and numbers.

Python's decoder recurses once per nesting level (100,000 `[` → RecursionError) and refuses integers over 4,300
digits with a bare ValueError; it also accepts NaN, Infinity and 1e999 (→ inf), which are not JSON numbers.
Every such input is a `JsonRejected` here, so callers answer 400/422 and never 500.
"""
from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32  # no body of the API nests deeper than 4; 32 leaves room and stays far from the recursion limit
MAX_NUMBER_CHARS = 40  # longer than any amount, count or id the API takes (10^9 caps, Decimal(12,2) prices)


class JsonRejected(ValueError):
    """The text is not JSON the API accepts; `reason` is "malformed", "too_deep" or "number"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonRejected("number")
    return int(text)


def _float(text: str) -> float | int:
    """`24308.0` and `1e3` are integers to JSON Schema (a number with no fractional part), so they are ints here:
    the published schema and the strict body models then agree."""
    value = float(text) if len(text) <= MAX_NUMBER_CHARS else float("inf")
    if value in (float("inf"), float("-inf")):
        raise JsonRejected("number")
    return int(value) if value.is_integer() else value


def _constant(text: str) -> Any:
    raise JsonRejected("number")  # NaN, Infinity, -Infinity: Python extensions, not JSON


def _too_deep(data: Any) -> bool:
    """Iterative (a recursive walk would itself overflow on what it is meant to catch)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def parse_json(text: str | bytes) -> Any:
    """Decode client JSON; raise `JsonRejected` for anything malformed, nested deeper than MAX_DEPTH, or with a
    number longer than MAX_NUMBER_CHARS characters or outside float range."""
    try:
        data = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except JsonRejected:
        raise
    except RecursionError:
        raise JsonRejected("too_deep") from None
    except (ValueError, TypeError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise JsonRejected("malformed") from None
    if _too_deep(data):
        raise JsonRejected("too_deep")
    return data
