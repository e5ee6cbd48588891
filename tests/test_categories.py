"""Categories through HTTP: tree rules, slugs, filters, deletes, HTTP preconditions, budgets."""
from __future__ import annotations

from tests.builders import make_category, make_product


def test_create_generates_slug_and_defaults(api, admin):
    reply = api.post("/product-categories", json={"name": "Vêtements d'été"}, token=admin.token)
    assert reply.status == 201
    assert reply.json["message"] == "Catégorie créée avec succès"
    data = reply.data
    assert data["slug"] == "vetements-d-ete"
    assert data["parent_id"] is None and data["depth"] == 1 and data["position"] == 0 and data["is_active"] is True
    assert reply.headers["etag"]
    assert len(reply.calls) <= 3


def test_slugs_are_unique_with_suffixes(api, admin):
    slugs = [make_category(api, admin.token, name="Chaussures")["slug"] for _ in range(3)]
    assert slugs == ["chaussures", "chaussures-1", "chaussures-2"]


def test_validation_and_unknown_fields(api, admin):
    reply = api.post("/product-categories", json={"name": "", "slug": "x"}, token=admin.token)
    assert reply.status == 422
    assert "name" in reply.errors and "slug" in reply.errors


def test_parent_must_exist(api, admin):
    reply = api.post("/product-categories", json={"name": "A", "parent_id": "nope"}, token=admin.token)
    assert reply.status == 422
    assert reply.errors["parent_id"] == ["La catégorie parente sélectionnée n'existe pas."]


def test_depth_is_limited_to_five(api, admin):
    parent = None
    for _ in range(5):
        parent = make_category(api, admin.token, parent_id=parent["id"] if parent else None)
    assert parent["depth"] == 5
    reply = api.post("/product-categories", json={"name": "Too deep", "parent_id": parent["id"]}, token=admin.token)
    assert reply.status == 422 and "parent_id" in reply.errors


def test_no_cycles(api, admin):
    top = make_category(api, admin.token)
    child = make_category(api, admin.token, parent_id=top["id"])
    reply = api.patch(f"/product-categories/{top['id']}", json={"parent_id": child["id"]}, token=admin.token)
    assert reply.status == 422 and "parent_id" in reply.errors
    reply = api.patch(f"/product-categories/{child['id']}", json={"parent_id": child["id"]}, token=admin.token)
    assert reply.status == 422


def test_move_a_leaf_between_parents_and_to_root(api, admin):
    a, b = make_category(api, admin.token), make_category(api, admin.token)
    leaf = make_category(api, admin.token, parent_id=a["id"])
    reply = api.patch(f"/product-categories/{leaf['id']}", json={"parent_id": b["id"]}, token=admin.token)
    assert reply.status == 200 and reply.data["parent_id"] == b["id"] and reply.data["depth"] == 2
    assert api.get(f"/product-categories?parent_id={a['id']}", token=admin.token).json["meta"]["total"] == 0
    children = api.get(f"/product-categories?parent_id={b['id']}", token=admin.token)
    assert [c["id"] for c in children.data] == [leaf["id"]] and children.json["meta"]["total"] == 1
    reply = api.patch(f"/product-categories/{leaf['id']}", json={"parent_id": None}, token=admin.token)
    assert reply.status == 200 and reply.data["parent_id"] is None and reply.data["depth"] == 1
    # a from a's point of view: it lost its child, so it can be deleted now
    assert api.delete(f"/product-categories/{a['id']}", token=admin.token).status == 200


def test_moving_a_category_with_children_is_refused(api, admin):
    a, b = make_category(api, admin.token), make_category(api, admin.token)
    make_category(api, admin.token, parent_id=a["id"])
    reply = api.patch(f"/product-categories/{a['id']}", json={"parent_id": b["id"]}, token=admin.token)
    assert reply.status == 409


def test_filter_by_parent_and_root_orderedby_position(api, admin):
    top = make_category(api, admin.token, position=2)
    other = make_category(api, admin.token, position=1)
    kids = [make_category(api, admin.token, parent_id=top["id"], position=p) for p in (3, 1, 2)]
    reply = api.get("/product-categories?parent_id=root", token=admin.token)
    assert [c["id"] for c in reply.data] == [other["id"], top["id"]]
    assert reply.json["meta"]["total"] == 2
    assert len(reply.calls) <= 3
    reply = api.get(f"/product-categories?parent_id={top['id']}", token=admin.token)
    assert [c["position"] for c in reply.data] == [1, 2, 3]
    assert {c["id"] for c in reply.data} == {k["id"] for k in kids}
    everything = api.get("/product-categories?per_page=100", token=admin.token)
    assert everything.json["meta"]["total"] == 5 and len(everything.data) == 5


def test_customers_see_active_categories_only(api, admin, customer):
    visible = make_category(api, admin.token)
    hidden = make_category(api, admin.token, is_active=False)
    reply = api.get("/product-categories", token=customer.token)
    assert [c["id"] for c in reply.data] == [visible["id"]] and reply.json["meta"]["total"] == 1
    assert api.get(f"/product-categories/{hidden['id']}", token=customer.token).status == 404
    assert api.get(f"/product-categories/{hidden['id']}", token=admin.token).status == 200
    # deactivating moves it out of the customers' list and its total
    api.patch(f"/product-categories/{visible['id']}", json={"is_active": False}, token=admin.token)
    reply = api.get("/product-categories?parent_id=root", token=customer.token)
    assert reply.data == [] and reply.json["meta"]["total"] == 0


def test_customers_cannot_write(api, customer):
    assert api.post("/product-categories", json={"name": "X"}, token=customer.token).status == 403
    assert api.get("/product-categories").status == 401


def test_get_put_patch_etag_and_budgets(api, admin):
    category = make_category(api, admin.token, description="Old")
    path = f"/product-categories/{category['id']}"
    reply = api.get(path, token=admin.token)
    assert reply.status == 200 and len(reply.calls) <= 2
    etag = reply.headers["etag"]
    assert api.get(path, token=admin.token, headers={"If-None-Match": etag}).status == 304
    reply = api.put(path, json={"name": "Renamed", "position": 4}, token=admin.token, headers={"If-Match": etag})
    assert reply.status == 200 and len(reply.calls) <= 3
    assert reply.data["name"] == "Renamed" and reply.data["description"] is None and reply.data["position"] == 4
    assert reply.data["slug"] == category["slug"]  # slugs are stable (links keep working)
    stale = api.patch(path, json={"name": "Again"}, token=admin.token, headers={"If-Match": etag})
    assert stale.status == 412
    fresh = api.get(path, token=admin.token).headers["etag"]
    reply = api.patch(path, json={"description": "New"}, token=admin.token, headers={"If-Match": fresh})
    assert reply.status == 200 and reply.data["name"] == "Renamed" and reply.data["description"] == "New"


def test_delete_rules(api, admin):
    parent = make_category(api, admin.token)
    child = make_category(api, admin.token, parent_id=parent["id"])
    reply = api.delete(f"/product-categories/{parent['id']}", token=admin.token)
    assert reply.status == 409 and reply.json["success"] is False
    with_product = make_category(api, admin.token)
    make_product(api, admin.token, category_id=with_product["id"], variants=0).data
    assert api.delete(f"/product-categories/{with_product['id']}", token=admin.token).status == 409
    etag = api.get(f"/product-categories/{child['id']}", token=admin.token).headers["etag"]
    assert api.delete(f"/product-categories/{child['id']}", token=admin.token, headers={"If-Match": '"nope"'}).status == 412
    reply = api.delete(f"/product-categories/{child['id']}", token=admin.token, headers={"If-Match": etag})
    assert reply.status == 200 and len(reply.calls) <= 3
    assert api.get(f"/product-categories/{child['id']}", token=admin.token).status == 404
    assert api.delete(f"/product-categories/{parent['id']}", token=admin.token).status == 200
    # the slug is free again
    assert make_category(api, admin.token, name=child["name"])["slug"] != ""


def test_idempotent_create_replays(api, admin):
    headers = {"Idempotency-Key": "cat-1"}
    first = api.post("/product-categories", json={"name": "Once"}, token=admin.token, headers=headers)
    again = api.post("/product-categories", json={"name": "Once"}, token=admin.token, headers=headers)
    assert first.status == again.status == 201
    assert again.data["id"] == first.data["id"] and again.headers.get("idempotent-replayed") == "true"
    other = api.post("/product-categories", json={"name": "Other"}, token=admin.token, headers=headers)
    assert other.status == 422
    assert api.get("/product-categories", token=admin.token).json["meta"]["total"] == 1


def test_paging_categories(api, admin):
    for i in range(7):
        make_category(api, admin.token, position=i)
    seen, cursor, pages = [], None, 0
    while True:
        url = "/product-categories?per_page=3" + (f"&cursor={cursor}" if cursor else "")
        reply = api.get(url, token=admin.token)
        seen += [c["id"] for c in reply.data]
        pages += 1
        assert reply.json["meta"]["total"] == 7 and reply.json["meta"]["last_page"] == 3
        cursor = reply.json["meta"]["next_cursor"]
        if not cursor:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 7


def test_parallel_creates_of_one_name_get_distinct_slugs(api, admin):
    from concurrent.futures import ThreadPoolExecutor

    def create(_: int) -> str:
        reply = api.post("/product-categories", json={"name": "Accessoires"}, token=admin.token)
        assert reply.status == 201, reply.json
        return reply.data["slug"]

    with ThreadPoolExecutor(max_workers=6) as pool:
        slugs = list(pool.map(create, range(6)))
    assert sorted(slugs) == sorted(["accessoires"] + [f"accessoires-{i}" for i in range(1, 6)])
    assert api.get("/product-categories", token=admin.token).json["meta"]["total"] == 6
