"""Routes of options, option values and variants (registered on the products Blueprint)."""
from __future__ import annotations
