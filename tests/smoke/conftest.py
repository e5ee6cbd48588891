"""One running `make run` stack shared by the smoke tests."""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.live import LiveStack, start_stack


@pytest.fixture(scope="session")
def stack() -> Iterator[LiveStack]:
    live = start_stack()
    yield live
    live.stop()
