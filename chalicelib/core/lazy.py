"""Deferred imports for route modules: `services = lazy_import("chalicelib.products.services")` registers the
routes without loading PynamoDB/botocore; the module loads on first use, inside a request."""
from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any


class _Deferred(ModuleType):
    """Stands for a module until an attribute is read, then imports it through the regular import system.

    importlib's LazyLoader is not thread-safe before Python 3.12: two requests on threads (chalice local)
    touching a module first at the same time could see it half executed. `import_module` takes the
    import system's per-module lock, so a concurrent first use waits for the module to be complete.
    """

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self.__name__), attr)


def lazy_import(name: str) -> ModuleType:
    """A module object that imports `name` on first attribute access."""
    if name in sys.modules:
        return sys.modules[name]
    if importlib.util.find_spec(name) is None:
        raise ImportError(f"no module named {name!r}")
    return _Deferred(name)
