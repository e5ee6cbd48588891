"""`GET /stores/{id}/products?include=variants` over HTTP: a fixed number of DynamoDB calls on every page (the
page's variants, their stock and their override in the store come in one BatchGetItem found from
ProductItem.variant_ids), pages cut to fit that batch's 100 keys, the fallback for products whose variant_ids is
out of step, and the prices and stock of the store."""
from __future__ import annotations

from ulid import ULID

from chalicelib.catalog.products.models import ProductItem
from chalicelib.core import keys
from tests.builders import Catalog, create_store, make_category, make_product

FOUR = ["BatchGetItem", "Query", "BatchGetItem", "BatchGetItem"]  # auth, links, store/total/products, variants


def _product(api, token: str, category_id: str, store_id: str, variants: int) -> Catalog:
    """A product in the store with `variants` variants (values of one option): the product over HTTP, its option,
    values and variants through the catalog's own services (the same transactions, without a request each:
    this file builds a few hundred of them)."""
    from chalicelib.catalog.options.services import create_option, create_value
    from chalicelib.catalog.products.schemas import OptionCreate, ValueCreate, VariantCreate
    from chalicelib.catalog.variants.services import create_variant

    reply = api.post("/products", json={"name": "Shirt", "product_category_id": category_id,
                                        "store_ids": [store_id]}, token=token)
    assert reply.status == 201, reply.json
    pid = reply.data["id"]
    option = create_option(pid, OptionCreate(name="Size"))
    values = [create_value(option.id, ValueCreate(value=f"V{n}")) for n in range(variants)]
    made = [create_variant(pid, VariantCreate(sku=f"SKU-{ULID()}", price="19.90", option_value_ids=[value.id]))
            for value in values]
    return Catalog(pid, [variant.id for variant in made], reply.data)


def _path(store_id: str, per_page: int, cursor: str | None = None) -> str:
    return f"/stores/{store_id}/products?include=variants&per_page={per_page}" + (f"&cursor={cursor}" if cursor else "")


def _walk(api, token: str, store_id: str, per_page: int, *, pages: int = 20) -> list:
    """Every page of the list (bounded), as the replies."""
    replies, cursor = [], None
    for _ in range(pages):
        reply = api.get(_path(store_id, per_page, cursor), token=token)
        assert reply.status == 200, reply.json
        replies.append(reply)
        cursor = reply.json["meta"]["next_cursor"]
        if cursor is None:
            return replies
    raise AssertionError("more pages than expected")


def _ids(replies: list) -> list[str]:
    return [row["id"] for reply in replies for row in reply.data]


def test_calls_are_fixed_and_pages_are_cut_to_one_batch(api, admin, customer):
    sid = create_store(api, admin.token)["id"]
    category_id = make_category(api, admin.token)["id"]
    made = [_product(api, admin.token, category_id, sid, 3) for _ in range(20)]
    expected = [item.product_id for item in reversed(made)]  # newest first
    one = api.get(_path(sid, 1), token=admin.token)
    assert one.status == 200 and one.calls == FOUR, one.calls
    assert [row["id"] for row in one.data] == expected[:1] and len(one.data[0]["variants"]) == 3
    after = api.get(_path(sid, 1, one.json["meta"]["next_cursor"]), token=admin.token)
    assert after.calls == FOUR and [row["id"] for row in after.data] == expected[1:2]
    for account in (admin, customer):
        replies = _walk(api, account.token, sid, 20)
        # 3 variants = 9 keys a product: 11 products (99 keys) fill the batch, the next page starts at the 12th
        assert [len(reply.data) for reply in replies] == [11, 9]
        assert all(reply.calls == FOUR for reply in replies), [reply.calls for reply in replies]
        assert _ids(replies) == expected
        assert all(len(row["variants"]) == 3 for reply in replies for row in reply.data)
        assert replies[0].json["meta"]["total"] == 20
    assert _ids(_walk(api, admin.token, sid, 98)) == expected
    assert _ids(_walk(api, admin.token, sid, 7)) == expected


def test_a_product_too_big_for_the_batch_is_shown_alone_by_its_query(api, admin):
    sid = create_store(api, admin.token)["id"]
    category_id = make_category(api, admin.token)["id"]
    older, big, newer = (_product(api, admin.token, category_id, sid, n) for n in (3, 34, 3))  # 34: 102 keys
    replies = _walk(api, admin.token, sid, 10)
    assert [[row["id"] for row in reply.data] for reply in replies] == [
        [newer.product_id], [big.product_id], [older.product_id]]
    assert len(replies[1].data[0]["variants"]) == 34
    assert replies[0].calls == FOUR and replies[2].calls == FOUR
    assert replies[1].calls == ["BatchGetItem", "Query", "BatchGetItem", "Query"]  # its collection, no batch


def _variant_ids_stored(product_id: str) -> set[str]:
    return set(ProductItem.get(*keys.product_key(product_id), consistent_read=True).variant_ids or ())


def test_variants_created_and_deleted_keep_the_list_right(api, admin):
    sid = create_store(api, admin.token)["id"]
    item = make_product(api, admin.token, variants=3, store_ids=[sid])
    assert _variant_ids_stored(item.product_id) == set(item.variant_ids)
    assert api.delete(f"/product-variants/{item.variant_ids[1]}", token=admin.token).status in (200, 204)
    left = {item.variant_ids[0], item.variant_ids[2]}
    assert _variant_ids_stored(item.product_id) == left
    reply = api.get(_path(sid, 10), token=admin.token)
    assert reply.calls == FOUR and {v["id"] for v in reply.data[0]["variants"]} == left
    for vid in item.variant_ids:
        assert api.delete(f"/product-variants/{vid}", token=admin.token).status in (200, 204, 404)
    assert _variant_ids_stored(item.product_id) == set()
    assert ProductItem.get(*keys.product_key(item.product_id), consistent_read=True).variant_ids is None
    reply = api.get(_path(sid, 10), token=admin.token)
    assert reply.data[0]["variants"] == [] and reply.calls == ["BatchGetItem", "Query", "BatchGetItem"]  # no keys
    added = api.post(f"/products/{item.product_id}/variants", json={"sku": "NEW-1", "price": "5"}, token=admin.token)
    assert added.status == 201, added.json
    assert _variant_ids_stored(item.product_id) == {added.data["id"]}
    reply = api.get(_path(sid, 10), token=admin.token)
    assert reply.calls == FOUR and [v["id"] for v in reply.data[0]["variants"]] == [added.data["id"]]


def test_a_product_whose_variant_ids_is_out_of_step_falls_back_to_its_query(api, admin):
    sid = create_store(api, admin.token)["id"]
    old = make_product(api, admin.token, variants=3, store_ids=[sid])
    new = make_product(api, admin.token, variants=2, store_ids=[sid])
    # As a product written before variant_ids existed: the count is there, the set is not.
    ProductItem(*keys.product_key(old.product_id)).update(actions=[ProductItem.variant_ids.remove()])
    reply = api.get(_path(sid, 10), token=admin.token)
    assert reply.status == 200, reply.json
    shown = {row["id"]: sorted(v["id"] for v in row["variants"]) for row in reply.data}
    assert shown == {old.product_id: sorted(old.variant_ids), new.product_id: sorted(new.variant_ids)}
    assert sorted(reply.calls) == sorted(FOUR + ["Query"])  # the new one in the batch, the old one by its Query


def test_effective_prices_and_stock_of_the_store(api, admin, customer):
    eur = create_store(api, admin.token, currency="EUR")["id"]
    usd = create_store(api, admin.token, currency="USD")["id"]
    item = make_product(api, admin.token, variants=2, store_ids=[eur, usd])
    first, second = item.variant_ids
    for sid, price in ((eur, "15"), (usd, "21")):
        assert api.put(f"/product-variants/{first}/prices/{sid}", json={"price": price},
                       token=admin.token).status == 201
    for sid, quantity in ((eur, 7), (usd, 3)):
        assert api.put(f"/product-variants/{first}/stock/{sid}", json={"quantity": quantity},
                       token=admin.token).status in (200, 201)
    expected = {
        eur: {first: ("15.00", "EUR", [{"store_id": eur, "quantity": 7}]), second: ("19.90", "EUR", [])},
        usd: {first: ("21.00", "USD", [{"store_id": usd, "quantity": 3}]), second: (None, "USD", [])},
    }
    for account in (admin, customer):
        for sid, variants in expected.items():
            reply = api.get(_path(sid, 10), token=account.token)
            assert reply.status == 200 and reply.calls == FOUR, reply.calls
            [row] = reply.data
            assert {v["id"]: (v["price"], v["currency"], v["stock"]) for v in row["variants"]} == variants
