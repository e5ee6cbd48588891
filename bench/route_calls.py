"""DynamoDB calls of the store-price and inventory routes, small catalog vs large: does any grow?

    python bench/route_calls.py [--variants 20] [--stores 5]

In-process (chalice.test.Client over moto, as the tests run), each route is called once on a product with
1 variant in 1 store, then on one with --variants variants attached to --stores stores (every variant
stocked and priced in each), in a store listing --listed products. It prints the operations of each request (the call meter, auth included) and
flags a route whose count differs between the two. Figures only: the tests assert the budgets.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import tests.conftest as harness  # noqa: E402  (the test environment and the moto patches, before the app)

Route = tuple[str, Callable[[dict[str, Any]], Any]]


def build(api: Any, token: str, variants: int, stores: int, listed: int) -> dict[str, Any]:
    """A product with `variants` variants in `stores` stores (stocked and priced in each), and `listed` - 1
    more products of 3 variants in the first store, so its list page holds `listed` products."""
    from tests.builders import attach, create_store, make_product

    store_ids = [create_store(api, token, currency="EUR" if n == 0 else "USD")["id"] for n in range(stores)]
    item = make_product(api, token, variants=variants)
    attach(api, token, item.product_id, *store_ids)
    for vid in item.variant_ids:
        for sid in store_ids:
            assert api.put(f"/product-variants/{vid}/stock/{sid}", json={"quantity": 50}, token=token).status == 200
            reply = api.put(f"/product-variants/{vid}/prices/{sid}", json={"price": "9.50"}, token=token)
            assert reply.status in (200, 201), reply.json
    for _ in range(listed - 1):
        attach(api, token, make_product(api, token, variants=3).product_id, store_ids[0])
    return {"product": item.product_id, "variants": item.variant_ids, "variant": item.variant_id,
            "store": store_ids[0], "other": store_ids[-1]}


def routes(api: Any, token: str) -> list[Route]:
    def reservation(c: dict[str, Any]) -> str:
        body = {"store_id": c["store"], "items": [{"variant_id": c["variant"], "quantity": 1}]}
        return str(api.post("/reservations", json=body, token=token).data["id"])

    bulk = lambda c: {"items": [{"variant_id": v, "price": "7.00"} for v in c["variants"]]}  # noqa: E731
    return [
        ("GET /product-variants/{id}/prices", lambda c: api.get(f"/product-variants/{c['variant']}/prices", token=token)),
        ("GET /product-variants/{id}/prices/{store_id}",
         lambda c: api.get(f"/product-variants/{c['variant']}/prices/{c['store']}", token=token)),
        ("PUT /product-variants/{id}/prices/{store_id}",
         lambda c: api.put(f"/product-variants/{c['variant']}/prices/{c['other']}", json={"price": "8.00"}, token=token)),
        ("DELETE /product-variants/{id}/prices/{store_id}",
         lambda c: api.delete(f"/product-variants/{c['variant']}/prices/{c['other']}", token=token)),
        ("PUT /stores/{id}/prices (every variant)", lambda c: api.put(f"/stores/{c['store']}/prices", json=bulk(c), token=token)),
        ("GET /products/{id}?store_id=", lambda c: api.get(f"/products/{c['product']}?store_id={c['store']}", token=token)),
        ("GET /product-variants/{id}?store_id=",
         lambda c: api.get(f"/product-variants/{c['variant']}?store_id={c['store']}", token=token)),
        ("GET /stores/{id}/products?include=variants",
         lambda c: api.get(f"/stores/{c['store']}/products?include=variants", token=token)),
        ("GET /product-variants/{id}/stock", lambda c: api.get(f"/product-variants/{c['variant']}/stock", token=token)),
        ("POST /product-variants/{id}/stock/{store_id}/adjust",
         lambda c: api.post(f"/product-variants/{c['variant']}/stock/{c['store']}/adjust", json={"delta": 1}, token=token)),
        ("GET /product-variants/{id}/stock/{store_id}/movements",
         lambda c: api.get(f"/product-variants/{c['variant']}/stock/{c['store']}/movements", token=token)),
        ("POST /reservations", lambda c: api.post("/reservations", token=token, json={
            "store_id": c["store"], "items": [{"variant_id": v, "quantity": 1} for v in c["variants"]]})),
        ("POST /reservations/{id}/commit", lambda c: api.post(f"/reservations/{reservation(c)}/commit", token=token)),
        ("POST /reservations/{id}/release", lambda c: api.post(f"/reservations/{reservation(c)}/release", token=token)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", type=int, default=20)
    parser.add_argument("--stores", type=int, default=5)
    parser.add_argument("--listed", type=int, default=15, help="products on the large store's list page")
    args = parser.parse_args()

    import boto3
    from chalice.test import Client
    from moto import mock_aws

    from app import app
    from infra.resources import create_local_resources

    with mock_aws():
        create_local_resources(boto3.client("dynamodb", region_name="eu-west-1"),
                               boto3.client("s3", region_name="eu-west-1"),
                               harness.os.environ["TABLE_NAME"], harness.os.environ["BUCKET_NAME"], ["http://127.0.0.1:3000"])
        from chalicelib.identity.seed import seed_builtin_roles

        seed_builtin_roles()
        admin = harness.make_account(["admin"], name="Admin")
        with Client(app, stage_name="test") as client:
            api = harness.Api(client)
            small = build(api, admin.token, 1, 1, 1)
            variants, stores, listed = max(2, min(args.variants, 20)), max(1, args.stores), max(1, min(args.listed, 100))
            large = build(api, admin.token, variants, stores, listed)
            print(f"{'route':58} {'1 variant, 1 store, 1 listed':>28}   {variants} variants, {stores} stores, {listed} listed")
            for name, call in routes(api, admin.token):
                counts = []
                for catalog in (small, large):
                    reply = call(catalog)
                    assert reply.status < 300, (name, reply.status, reply.json)
                    counts.append(reply.calls)
                flag = "" if len(counts[0]) == len(counts[1]) else "   <- grows"
                print(f"{name:58} {len(counts[0]):>28} {len(counts[1]):>10}{flag}")
                if len(counts[0]) != len(counts[1]):
                    print(f"{'':58} {', '.join(counts[1])}")


if __name__ == "__main__":
    main()
