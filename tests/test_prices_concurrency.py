"""Store prices under concurrency and past one transaction's size: parallel bulk writes of one store never
interleave rows (the end state is one whole request's prices), a bulk write of more parts than one
transaction holds is staged and still all or nothing, and one interrupted half-way is finished by the next
writer of the store's prices. Threads against the in-process API; runs on moto and on DynamoDB Local."""
from __future__ import annotations

import json
import threading

from tests.builders import attach, create_store, make_product

_WIDE = 49  # 49 rows of one product: 49 × 2 + 1 + 4 = 103 parts, more than one transaction holds


def _prices_in(api, token, store_id: str, variant_ids: list[str]) -> list[str | None]:
    reply = api.get(f"/products/{_product_of(api, token, variant_ids[0])}?store_id={store_id}&include=variants",
                    token=token)
    assert reply.status == 200, reply.json
    by_id = {v["id"]: v["price"] for v in reply.data["variants"]}
    return [by_id[vid] for vid in variant_ids]


def _product_of(api, token, variant_id: str) -> str:
    return api.get(f"/product-variants/{variant_id}", token=token).data["product_id"]


def _parallel_bulks(api, token, store_id: str, variant_ids: list[str], prices: list[str]) -> list[int]:
    start = threading.Barrier(len(prices))
    statuses: list[int] = []
    lock = threading.Lock()

    def write(price: str) -> None:
        body = {"items": [{"variant_id": vid, "price": price} for vid in variant_ids]}
        start.wait(timeout=30)
        reply = api.put(f"/stores/{store_id}/prices", json=body, token=token)
        with lock:
            statuses.append(reply.status)

    threads = [threading.Thread(target=write, args=(price,)) for price in prices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return statuses


def test_parallel_bulk_writes_of_one_store_never_interleave(api, admin):
    store = create_store(api, admin.token)["id"]
    item = make_product(api, admin.token, variants=8)
    attach(api, admin.token, item.product_id, store)
    for round_ in range(3):
        prices = [f"{round_ + 1}{n}.00" for n in range(1, 5)]
        statuses = _parallel_bulks(api, admin.token, store, item.variant_ids, prices)
        assert 500 not in statuses and 200 in statuses, statuses
        assert set(statuses) <= {200, 503}, statuses  # a 503 only when every retry lost: nothing of it written
        final = _prices_in(api, admin.token, store, item.variant_ids)
        assert len(set(final)) == 1 and final[0] in prices, final  # one request's prices, entirely


def test_a_staged_bulk_write_is_all_or_nothing_and_never_interleaves(api, admin):
    store = create_store(api, admin.token)["id"]
    item = make_product(api, admin.token, variants=_WIDE)
    attach(api, admin.token, item.product_id, store)
    rows = [{"variant_id": vid, "price": "5"} for vid in item.variant_ids]
    staged = api.put(f"/stores/{store}/prices", json={"items": rows}, token=admin.token)
    assert staged.status == 200, staged.json
    # auth; store, membership and pointers; links and overrides; then the batch item, 2 chunks, its delete
    assert staged.calls == ["BatchGetItem"] * 3 + ["TransactWriteItems"] * 4
    assert set(_prices_in(api, admin.token, store, item.variant_ids)) == {"5.00"}
    bad = rows[:-1] + [{"variant_id": "NOPE", "price": "6"}]
    refused = api.put(f"/stores/{store}/prices", json={"items": [dict(r, price="6") for r in bad]},
                      token=admin.token)
    assert refused.status == 422 and list(refused.errors) == [f"items.{_WIDE - 1}.variant_id"]
    assert set(_prices_in(api, admin.token, store, item.variant_ids)) == {"5.00"}  # nothing written
    statuses = _parallel_bulks(api, admin.token, store, item.variant_ids, ["7.00", "8.00"])
    assert 500 not in statuses and 200 in statuses, statuses
    final = _prices_in(api, admin.token, store, item.variant_ids)
    assert len(set(final)) == 1 and final[0] in ("7.00", "8.00"), final
    # the store's override total is exact: 49 overrides, deleting them all unlocks the currency
    for vid in item.variant_ids[:-1]:
        assert api.delete(f"/product-variants/{vid}/prices/{store}", token=admin.token).status == 200
    assert api.patch(f"/stores/{store}", json={"currency": "USD"}, token=admin.token).status == 409
    api.delete(f"/product-variants/{item.variant_ids[-1]}/prices/{store}", token=admin.token)
    assert api.patch(f"/stores/{store}", json={"currency": "USD"}, token=admin.token).status == 200


def test_an_interrupted_staged_write_is_finished_by_the_next_writer(api, admin):
    """A bulk write whose writer stopped after its batch item (lease passed, no chunk written): the next price
    write of the store finishes it first, then makes its own change."""
    from chalicelib.catalog.prices.models import PriceBatchItem
    from chalicelib.core import keys
    from chalicelib.core.table import now_iso

    store = create_store(api, admin.token)["id"]
    item = make_product(api, admin.token, variants=3)
    attach(api, admin.token, item.product_id, store)
    rows = [{"variant_id": vid, "price": "4.00", "compare_at_price": None} for vid in item.variant_ids]
    PriceBatchItem(*keys.price_batch_key(store), token="crashed", currency="EUR", rows=json.dumps(rows),
                   lease_until=now_iso(-1)).save()
    single = api.put(f"/product-variants/{item.variant_ids[0]}/prices/{store}", json={"price": "9"},
                     token=admin.token)
    assert single.status == 200, single.json  # the interrupted request created it: this one replaces it
    assert _prices_in(api, admin.token, store, item.variant_ids) == ["9.00", "4.00", "4.00"]
    PriceBatchItem(*keys.price_batch_key(store), token="running", currency="EUR", rows=json.dumps(rows),
                   lease_until=now_iso(60)).save()
    busy = api.put(f"/product-variants/{item.variant_ids[0]}/prices/{store}", json={"price": "1"}, token=admin.token)
    # another bulk write holds the store's prices (for 5 s of waiting): busy, send again later; nothing written
    assert busy.status == 503 and busy.headers["retry-after"] == "1", busy.json
    assert _prices_in(api, admin.token, store, item.variant_ids)[0] == "9.00"


def test_a_currency_change_and_a_first_override_never_cross(api, admin):
    """Either the override lands first (in the old currency) and the change is refused, or the change lands
    first and the override is written in the new currency: never an override in a currency the store lost."""
    item = make_product(api, admin.token)
    for round_ in range(4):
        store = create_store(api, admin.token, currency="EUR")["id"]
        attach(api, admin.token, item.product_id, store)
        start = threading.Barrier(2)
        answers: dict[str, object] = {}

        def change() -> None:
            start.wait(timeout=30)
            answers["patch"] = api.patch(f"/stores/{store}", json={"currency": "USD"}, token=admin.token).status

        def price() -> None:
            start.wait(timeout=30)
            answers["put"] = api.put(f"/product-variants/{item.variant_id}/prices/{store}", json={"price": "3"},
                                     token=admin.token)

        threads = [threading.Thread(target=change), threading.Thread(target=price)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        put = answers["put"]
        assert put.status == 201, put.json
        currency = api.get(f"/stores/{store}", token=admin.token).data["currency"]
        assert put.data["currency"] == currency, (round_, answers["patch"], put.data, currency)
        assert answers["patch"] in (200, 409, 503)  # 409: it had overrides; 503: beaten every time
        assert (answers["patch"] == 200) == (currency == "USD")


def test_a_staged_bulk_write_across_many_products(api, admin):
    """33 single-variant products: 33 × (2 + 1) + 4 = 103 parts, staged in two chunks, each product's link
    updated in the chunk that holds its row."""
    store = create_store(api, admin.token, currency="USD")["id"]
    items = [make_product(api, admin.token, name=f"P{n}") for n in range(33)]
    for item in items:
        attach(api, admin.token, item.product_id, store)
    rows = [{"variant_id": item.variant_id, "price": f"{n + 1}.25"} for n, item in enumerate(items)]
    reply = api.put(f"/stores/{store}/prices", json={"items": rows}, token=admin.token)
    assert reply.status == 200, reply.json
    assert reply.calls == ["BatchGetItem"] * 3 + ["TransactWriteItems"] * 4
    assert [row["price"] for row in reply.data["items"]] == [f"{n + 1}.25" for n in range(33)]
    for n, item in enumerate(items):
        variant = api.get(f"/product-variants/{item.variant_id}?store_id={store}", token=admin.token).data
        assert (variant["price"], variant["currency"]) == (f"{n + 1}.25", "USD")
    for item in items:  # every link recorded its variant: detaching removes each override and the total with it
        assert api.delete(f"/products/{item.product_id}/stores/{store}", token=admin.token).status == 200
        assert api.get(f"/product-variants/{item.variant_id}/prices", token=admin.token).data == []
    assert api.patch(f"/stores/{store}", json={"currency": "EUR"}, token=admin.token).status == 200
