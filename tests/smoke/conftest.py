"""One running stack per kind, shared by the smoke tests: "local" is the `make run` stack (tests/live.py),
"deployed" the per-route template deployed into MiniStack (tests/deployed.py, what `make deploy-local` runs).
SMOKE_STACKS picks them (comma-separated, default "local"; `make test-deployed` sets "deployed").
A test about one kind only is marked `@pytest.mark.only_stack("local")`: it is collected for that kind alone."""
from __future__ import annotations

import os
from typing import Any, Iterator

import pytest

from tests.live import start_stack

STACKS = [name for name in os.environ.get("SMOKE_STACKS", "local").split(",") if name]


@pytest.fixture(scope="session", params=STACKS)
def stack(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "deployed":
        from tests.deployed import start_deployed

        live = start_deployed()
    else:
        live = start_stack()
    yield live
    live.stop()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "only_stack(kind): the test runs against that kind of stack only")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect (not skip) a stack-specific test's other parametrisations: there is nothing to check there."""
    keep, drop = [], []
    for item in items:
        marker = item.get_closest_marker("only_stack")
        callspec = getattr(item, "callspec", None)
        kind = callspec.params.get("stack") if callspec else None
        (drop if marker and kind is not None and kind != marker.args[0] else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
