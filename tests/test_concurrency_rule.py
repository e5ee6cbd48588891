"""One concurrency rule for every resource (docs/api.md §5, docs/decisions.md): an update without If-Match
that loses a race is re-read and applied again, never answered 409 while it can still succeed. With two
writers, the loser's second attempt always wins, so both answer 200, whatever the resource."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.builders import create_store, make_category, make_product

ROUNDS = 5  # two PATCHes at once, five times: a race is all but certain on moto and on DynamoDB Local


def _store(api: Any, token: str) -> tuple[str, str]:
    return f"/stores/{create_store(api, token)['id']}", "description"


def _role(api: Any, token: str) -> tuple[str, str]:
    reply = api.post("/roles", {"name": "race-role", "permissions": ["products.view"]}, token=token)
    assert reply.status == 201, reply.json
    return "/roles/race-role", "description"


def _product(api: Any, token: str) -> tuple[str, str]:
    return f"/products/{make_product(api, token, variants=0).product_id}", "description"


def _category(api: Any, token: str) -> tuple[str, str]:
    return f"/product-categories/{make_category(api, token)['id']}", "description"


@pytest.mark.parametrize("make", [_store, _role, _product, _category], ids=["store", "role", "product", "category"])
def test_two_concurrent_patches_without_if_match_both_succeed(api, admin, make):
    path, field = make(api, admin.token)
    for round_ in range(ROUNDS):
        values = [f"r{round_}-{n}" for n in range(2)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            replies = list(pool.map(lambda v: api.patch(path, json={field: v}, token=admin.token), values))
        assert [reply.status for reply in replies] == [200, 200], [reply.json for reply in replies]
        assert api.get(path, token=admin.token).data[field] in values


def test_a_write_that_loses_every_race_is_busy_not_in_conflict(aws, caplog):
    """Every attempt beaten by another writer: 503 with Retry-After (send it again), never a 409, since nothing
    refused the change; the log says which loop gave up."""
    from chalicelib.core.concurrency import StaleVersion, guarded_write
    from chalicelib.core.errors import ServiceUnavailable

    tries: list[int] = []

    def always_beaten(current: int) -> int:
        tries.append(current)
        raise StaleVersion()

    with pytest.raises(ServiceUnavailable) as raised:
        guarded_write(lambda: len(tries), None, always_beaten, None, attempts=4)
    assert tries == [0, 1, 2, 3]  # read again before every attempt
    assert raised.value.status == 503 and raised.value.headers == {"Retry-After": "1"}
    assert any(r.getMessage() == "write lost every race" and r.where == "guarded_write" for r in caplog.records)


def test_a_stale_if_match_is_still_a_412_at_the_first_lost_race(aws):
    from chalicelib.core.concurrency import StaleVersion, guarded_write
    from chalicelib.core.errors import PreconditionFailed

    def beaten(current: object) -> None:
        raise StaleVersion()

    with pytest.raises(PreconditionFailed):
        guarded_write(lambda: {"v": 1}, lambda current: current, beaten, "*")
