"""One running stack per kind, shared by the smoke tests: "local" is the `make run` stack (tests/live.py),
"deployed" the per-route template deployed into MiniStack (tests/deployed.py, what `make deploy-local` runs).
SMOKE_STACKS picks them (comma-separated, default "local"; `make test-deployed` sets "deployed")."""
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
