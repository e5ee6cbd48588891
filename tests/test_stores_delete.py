"""Deleting a store over HTTP: memberships, product links and stock go with it (checked with Queries on the
keys and indexes), totals follow, an interrupted deletion is finished by a retry."""
from __future__ import annotations

from chalicelib.catalog.links.models import ProductStoreItem, store_products_partition, store_products_total
from chalicelib.catalog.stock.models import StockItem, store_stock_partition
from chalicelib.core import keys
from chalicelib.core.table import Entity
from chalicelib.core.tx import read_total
from chalicelib.stores.models import StoreMemberItem, store_members_total
from tests.builders import (
    add_members,
    attach,
    create_store,
    make_plain_users,
    make_product,
)


def _leftovers(store_id: str, product_ids: list[str]) -> list[Entity]:
    """Every item that would be an orphan of the store, looked up by key and by index."""
    found = list(Entity.query(keys.store_key(store_id)[0]))  # the store, its memberships
    found += list(ProductStoreItem.gsi1.query(store_products_partition(store_id)))
    found += list(ProductStoreItem.gsi2.query(keys.store_products_state_partition(store_id, True)))
    found += list(ProductStoreItem.gsi3.query(keys.store_links_partition(store_id)))
    found += list(StockItem.gsi1.query(store_stock_partition(store_id)))
    for pid in product_ids:
        found += [item for item in Entity.query(keys.product_partition(pid), Entity.sk.startswith("ST"))
                  if getattr(item, "store_id", None) == store_id]
    return found


def test_deleting_an_empty_store_takes_one_read_one_index_check_and_one_transaction(api, admin):
    store = create_store(api, admin.token, name="Empty")
    reply = api.delete(f"/stores/{store['id']}", token=admin.token)
    assert reply.status == 200 and reply.json["message"] == "Magasin supprimé avec succès"
    # auth, one BatchGetItem (store + totals), one Query (links of trashed products are in no total), the write
    assert reply.calls == ["BatchGetItem", "BatchGetItem", "Query", "TransactWriteItems"]
    assert api.get(f"/stores/{store['id']}", token=admin.token).status == 404
    assert api.get("/stores", token=admin.token).json["meta"]["total"] == 0
    assert api.get("/stores?is_active=true", token=admin.token).json["meta"]["total"] == 0
    assert create_store(api, admin.token, name="x", slug="empty")["slug"] == "empty"  # the slug is free again
    assert _leftovers(store["id"], []) == []
    assert api.delete(f"/stores/{store['id']}", token=admin.token).status == 404


def test_deleting_a_store_removes_members_links_and_stock(api, admin, staff):
    store = create_store(api, admin.token, name="Full")
    keep = create_store(api, admin.token, name="Keep")
    products = [make_product(api, admin.token, variants=2) for _ in range(3)]
    add_members(api, admin.token, store["id"], staff.id, *make_plain_users(3))
    add_members(api, admin.token, keep["id"], staff.id)
    for item in products:
        attach(api, admin.token, item.product_id, store["id"], keep["id"])
        for vid in item.variant_ids:
            for sid in (store["id"], keep["id"]):
                assert api.put(f"/product-variants/{vid}/stock/{sid}", json={"quantity": 3},
                               token=admin.token).status == 200
    pids = [item.product_id for item in products]
    reply = api.delete(f"/stores/{store['id']}", token=admin.token)
    assert reply.status == 200
    assert _leftovers(store["id"], pids) == []
    for name in (store_members_total(store["id"]), store_products_total(store["id"])):
        assert Entity._get_connection().get_item(*keys.counter_key(name)).get("Item") is None
    assert list(StoreMemberItem.gsi1.query(keys.user_stores_partition(staff.id))) != []  # the other membership
    # The other store keeps everything.
    assert api.get(f"/stores/{keep['id']}/products", token=admin.token).json["meta"]["total"] == 3
    assert api.get(f"/stores/{keep['id']}/users", token=admin.token).json["meta"]["total"] == 1
    stock = api.get(f"/product-variants/{products[0].variant_id}/stock", token=admin.token).data["stock"]
    assert [(row["store_id"], row["quantity"]) for row in stock] == [(keep["id"], 3)]
    assert api.get("/stores", token=admin.token).json["meta"]["total"] == 1


def test_an_interrupted_deletion_is_finished_by_a_retry(api, admin):
    from chalicelib.stores.models import StoreItem
    from chalicelib.stores.services.deletion import _mark_deleting

    store = create_store(api, admin.token, name="Half")
    item = make_product(api, admin.token)
    attach(api, admin.token, item.product_id, store["id"])
    api.put(f"/product-variants/{item.variant_id}/stock/{store['id']}", json={"quantity": 1}, token=admin.token)
    # The first DELETE stopped right after marking the store (e.g. a Lambda timeout).
    _mark_deleting(StoreItem.get(*keys.store_key(store["id"])), if_match=None)
    assert api.get(f"/stores/{store['id']}", token=admin.token).status == 404
    assert api.get("/stores", token=admin.token).data == []
    assert api.patch(f"/stores/{store['id']}", json={"name": "x"}, token=admin.token).status == 404
    # nothing new can attach to a store being deleted
    other = make_product(api, admin.token)
    refused = api.post(f"/products/{other.product_id}/stores", json={"store_ids": [store["id"]]}, token=admin.token)
    assert refused.status == 422 and list(refused.errors) == ["store_ids.0"]
    # ... nor can a new product be created in it (issue 14: this was 201 while attach said 422)
    category = other.data["product_category_id"]
    created = api.post("/products", json={"name": "Nouveau", "product_category_id": category,
                                          "store_ids": [store["id"]]}, token=admin.token)
    assert created.status == 422 and list(created.errors) == ["store_ids"], created.json
    listed = api.get(f"/products?product_category_id={category}", token=admin.token)
    assert [p["id"] for p in listed.data] == [other.product_id]  # nothing was created
    add = api.post(f"/stores/{store['id']}/users", json={"user_ids": [admin.id]}, token=admin.token)
    assert add.status == 404
    assert api.delete(f"/stores/{store['id']}", token=admin.token).status == 200
    assert _leftovers(store["id"], [item.product_id, other.product_id]) == []
    assert read_total(store_products_total(store["id"])) == 0


def test_manager_cannot_delete_and_staff_neither(api, admin, manager, staff):
    store = create_store(api, admin.token)
    add_members(api, admin.token, store["id"], manager.id, staff.id)
    assert api.delete(f"/stores/{store['id']}", token=manager.token).status == 403
    assert api.delete(f"/stores/{store['id']}", token=staff.token).status == 403
    assert api.get(f"/stores/{store['id']}", token=admin.token).status == 200


def test_links_of_trashed_products_go_with_the_store_too(api, admin):
    store = create_store(api, admin.token, name="Trash")
    trashed = make_product(api, admin.token)
    attach(api, admin.token, trashed.product_id, store["id"])
    assert api.put(f"/product-variants/{trashed.variant_id}/stock/{store['id']}", json={"quantity": 2},
                   token=admin.token).status == 200
    assert api.delete(f"/products/{trashed.product_id}", token=admin.token).status == 200
    # The trashed product is in none of the store's lists or totals, but its link and stock still exist.
    assert api.get(f"/stores/{store['id']}/products", token=admin.token).json["meta"]["total"] == 0
    assert api.delete(f"/stores/{store['id']}", token=admin.token).status == 200
    assert _leftovers(store["id"], [trashed.product_id]) == []
    # Restoring the product later does not bring back a link to a store that is gone.
    assert api.post(f"/products/{trashed.product_id}/restore", token=admin.token).status == 200
    assert _leftovers(store["id"], [trashed.product_id]) == []
    for name in (store_products_total(store["id"]), keys.store_products_state_partition(store["id"], True)):
        assert read_total(name) == 0


def test_a_store_being_deleted_takes_no_product_by_either_route(api, admin):
    """Creating a product in a store and attaching one to it share one check (the store is open): 422 alike."""
    from chalicelib.stores.models import StoreItem
    from chalicelib.stores.services.deletion import _mark_deleting

    store = create_store(api, admin.token, name="Closing")
    _mark_deleting(StoreItem.get(*keys.store_key(store["id"])), if_match=None)
    category = api.post("/product-categories", json={"name": "Late"}, token=admin.token).data
    created = api.post("/products", json={"name": "Late", "product_category_id": category["id"],
                                          "store_ids": [store["id"]]}, token=admin.token)
    assert created.status == 422 and list(created.errors) == ["store_ids"]
    assert api.get("/products", token=admin.token).json["meta"]["total"] == 0  # nothing was written
    other = make_product(api, admin.token)
    attached = api.post(f"/products/{other.product_id}/stores", json={"store_ids": [store["id"]]}, token=admin.token)
    assert attached.status == 422 and attached.errors == {"store_ids.0": created.errors["store_ids"]}


def test_a_store_changed_during_its_delete_is_read_again_not_a_conflict(api, admin, monkeypatch):
    """A DELETE without If-Match whose store is patched between its read and its write reads it again and
    deletes it (200), as every write without a precondition does; with If-Match the same race is a 412."""
    from chalicelib.stores.services import deletion

    real_finish = deletion._finish
    for with_etag, expected in ((False, 200), (True, 412)):
        store = create_store(api, admin.token)["id"]
        if_match = api.get(f"/stores/{store}", token=admin.token).headers["etag"] if with_etag else None
        raced = []

        def finish_after_a_patch(item, *, marked, store_id=store):
            if not raced:  # another client's PATCH lands between this DELETE's read and its transaction
                raced.append(api.patch(f"/stores/{store_id}", json={"description": "changed"}, token=admin.token).status)
            return real_finish(item, marked=marked)

        monkeypatch.setattr(deletion, "_finish", finish_after_a_patch)
        reply = api.delete(f"/stores/{store}", token=admin.token, headers={"If-Match": if_match} if if_match else {})
        assert raced == [200] and reply.status == expected, reply.json
        assert api.get(f"/stores/{store}", token=admin.token).status == (404 if expected == 200 else 200)
