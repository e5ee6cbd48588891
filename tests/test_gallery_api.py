"""Product and variant galleries through HTTP: ready files only, order, limits, detach, delete cascades."""
from __future__ import annotations

import os
import re
import threading

import pytest

from tests.builders import (
    ask_upload,
    file_item,
    make_product,
    make_variant,
    put_pending,
    ready_file,
    set_gallery,
)
from tests.conftest import make_account


def _product(product_id: str):
    from chalicelib.catalog.products.models import ProductItem
    from chalicelib.core import keys

    return ProductItem.get(*keys.product_key(product_id), consistent_read=True)


def _variant(product_id: str, variant_id: str):
    from chalicelib.catalog.products.models import VariantItem
    from chalicelib.core import keys

    return VariantItem.get(*keys.variant_key(product_id, variant_id), consistent_read=True)


def _ids(reply) -> list[str]:
    return [f["id"] for f in reply.data]


# --- products ------------------------------------------------------------------------------------------


def test_attach_keeps_the_given_order_and_appends_after_existing(api, manager):
    product = make_product(api, manager.token, variants=0)
    version = _product(product.product_id).version
    a, b, c = (ready_file(api, manager.token, filename=f"{n}.png") for n in "abc")
    first = api.post(f"/products/{product.product_id}/gallery", {"file_ids": [b, a]}, token=manager.token)
    assert first.status == 200, first.json
    assert first.json["success"] is True and first.json["message"]
    assert _ids(first) == [b, a] and all(f["status"] == "ready" and f["url"] for f in first.data)
    assert len(first.calls) <= 3  # auth, read product + files, transaction
    second = api.post(f"/products/{product.product_id}/gallery", {"file_ids": [c]}, token=manager.token)
    assert _ids(second) == [b, a, c]
    assert len(second.calls) <= 4  # + the existing gallery's files, to render the answer
    stored = _product(product.product_id)
    assert stored.gallery == [b, a, c] and stored.version == version + 2
    assert file_item(a).galleries == {f"product:{product.product_id}"}


@pytest.mark.parametrize("state", ["pending", "rejected"])
def test_only_ready_files_join_a_gallery(api, manager, state):
    product = make_product(api, manager.token, variants=0)
    file_id = ask_upload(api, manager.token, size=20).data["id"]
    if state == "rejected":
        put_pending(file_id, b"not an image at all!")
        assert api.post(f"/files/{file_id}/complete", token=manager.token).status == 422
    reply = api.post(f"/products/{product.product_id}/gallery", {"file_ids": [file_id]}, token=manager.token,
                     headers={"Accept-Language": "en"})
    assert reply.status == 422 and reply.json["success"] is False
    assert f"status: {state}" in reply.errors["file_ids"][0]
    assert not _product(product.product_id).gallery
    assert not file_item(file_id).galleries


def test_a_failed_attach_changes_nothing(api, manager):
    product = make_product(api, manager.token, variants=0)
    good = ready_file(api, manager.token)
    reply = api.post(f"/products/{product.product_id}/gallery", {"file_ids": [good, "01MISSING"]}, token=manager.token)
    assert reply.status == 422 and list(reply.errors) == ["file_ids"]
    assert not _product(product.product_id).gallery and not file_item(good).galleries


def test_duplicates_are_refused(api, manager):
    product = make_product(api, manager.token, variants=0)
    a = ready_file(api, manager.token)
    in_request = api.post(f"/products/{product.product_id}/gallery", {"file_ids": [a, a]}, token=manager.token)
    assert in_request.status == 422 and "file_ids" in in_request.errors
    assert api.post(f"/products/{product.product_id}/gallery", {"file_ids": [a]}, token=manager.token).status == 200
    again = api.post(f"/products/{product.product_id}/gallery", {"file_ids": [a]}, token=manager.token,
                     headers={"Accept-Language": "en"})
    assert again.status == 422 and "already in the gallery" in again.errors["file_ids"][0]
    assert _product(product.product_id).gallery == [a]


def test_a_gallery_holds_at_most_50_images(api, manager):
    product = make_product(api, manager.token, variants=0)
    set_gallery(product.product_id, [f"01OLD{i:03d}" for i in range(49)])
    a, b = ready_file(api, manager.token), ready_file(api, manager.token)
    reply = api.post(f"/products/{product.product_id}/gallery", {"file_ids": [a, b]}, token=manager.token)
    assert reply.status == 422 and "50" in reply.errors["file_ids"][0]
    assert api.post(f"/products/{product.product_id}/gallery", {"file_ids": [a]}, token=manager.token).status == 200
    too_many = api.post(f"/products/{product.product_id}/gallery", {"file_ids": [f"01X{i}" for i in range(51)]},
                        token=manager.token)
    assert too_many.status == 422 and "file_ids" in too_many.errors


def test_empty_or_malformed_file_ids_are_422(api, manager):
    product = make_product(api, manager.token, variants=0)
    for body in ({}, {"file_ids": []}, {"file_ids": "abc"}, {"file_ids": ["../x"]}, {"file_ids": ["a"], "x": 1}):
        reply = api.post(f"/products/{product.product_id}/gallery", body, token=manager.token)
        assert reply.status == 422 and reply.json["success"] is False, body


def test_someone_elses_file_needs_files_delete(api, manager, staff):
    from chalicelib.core import keys
    from chalicelib.identity.models import RoleItem

    RoleItem(*keys.role_key("gallery_editor"), name="gallery_editor", builtin=False,
             permissions={"products.attach_gallery", "files.upload"}).save()
    editor = make_account(["gallery_editor"])
    product = make_product(api, manager.token, variants=0)
    theirs = ready_file(api, staff.token)
    mine = ready_file(api, editor.token)
    refused = api.post(f"/products/{product.product_id}/gallery", {"file_ids": [theirs]}, token=editor.token)
    assert refused.status == 422 and theirs in refused.errors["file_ids"][0]
    assert api.post(f"/products/{product.product_id}/gallery", {"file_ids": [mine]}, token=editor.token).status == 200
    # A manager holds files.delete: any ready file will do.
    assert api.post(f"/products/{product.product_id}/gallery", {"file_ids": [theirs]}, token=manager.token).status == 200


def test_gallery_permissions(api, staff, customer, manager):
    product = make_product(api, manager.token, variants=0)
    file_id = ready_file(api, staff.token)
    for account in (staff, customer):
        assert api.post(f"/products/{product.product_id}/gallery", {"file_ids": [file_id]}, token=account.token).status == 403
        assert api.delete(f"/products/{product.product_id}/gallery/{file_id}", token=account.token).status == 403
    assert api.post(f"/products/{product.product_id}/gallery", {"file_ids": [file_id]}).status == 401


def test_unknown_or_deleted_product_is_404(api, manager):
    file_id = ready_file(api, manager.token)
    assert api.post("/products/01NOPE/gallery", {"file_ids": [file_id]}, token=manager.token).status == 404
    trashed = make_product(api, manager.token, name="Trashed", variants=0)
    assert api.delete(f"/products/{trashed.product_id}", token=manager.token).status == 200
    assert api.post(f"/products/{trashed.product_id}/gallery", {"file_ids": [file_id]}, token=manager.token).status == 404


def test_detach_from_a_product(api, manager):
    product = make_product(api, manager.token, variants=0)
    a, b = ready_file(api, manager.token), ready_file(api, manager.token)
    api.post(f"/products/{product.product_id}/gallery", {"file_ids": [a, b]}, token=manager.token)
    reply = api.delete(f"/products/{product.product_id}/gallery/{a}", token=manager.token)
    assert reply.status == 200 and _ids(reply) == [b] and reply.json["message"]
    assert len(reply.calls) <= 4
    assert _product(product.product_id).gallery == [b]
    assert not file_item(a).galleries and file_item(a).status == "ready"  # the file itself stays
    missing = api.delete(f"/products/{product.product_id}/gallery/{a}", token=manager.token)
    assert missing.status == 404 and missing.json["success"] is False


def test_idempotent_attach_replays_the_gallery(api, manager):
    product = make_product(api, manager.token, variants=0)
    a = ready_file(api, manager.token)
    first = api.post(f"/products/{product.product_id}/gallery", {"file_ids": [a]}, token=manager.token,
                     headers={"Idempotency-Key": "g-1"})
    again = api.post(f"/products/{product.product_id}/gallery", {"file_ids": [a]}, token=manager.token,
                     headers={"Idempotency-Key": "g-1"})
    assert first.status == again.status == 200
    assert _ids(again) == [a] and again.headers["idempotent-replayed"] == "true"


def test_concurrent_attaches_lose_nothing(api, manager):
    product = make_product(api, manager.token, variants=0)
    files = [ready_file(api, manager.token) for _ in range(4)]
    statuses: list[int] = []

    def attach(file_id: str) -> None:
        statuses.append(api.post(f"/products/{product.product_id}/gallery", {"file_ids": [file_id]},
                                 token=manager.token).status)

    # chalice's test client swaps os.environ per request; concurrent swaps can leave a copy behind.
    environ = os.environ
    threads = [threading.Thread(target=attach, args=(f,)) for f in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    os.environ = environ  # noqa: B003 - put back the very object chalice's client swapped out
    gallery = _product(product.product_id).gallery
    assert statuses.count(200) == len(gallery) and set(statuses) <= {200, 503}
    assert statuses.count(200) >= 2  # re-reading on a version conflict lets most writers through


# --- variants ------------------------------------------------------------------------------------------


def test_variant_gallery_attach_and_detach(api, manager):
    product = make_product(api, manager.token, variants=0)
    variant = make_variant(api, manager.token, product.product_id)
    a, b = ready_file(api, manager.token), ready_file(api, manager.token)
    reply = api.post(f"/product-variants/{variant['id']}/gallery", {"file_ids": [a, b]}, token=manager.token)
    assert reply.status == 200, reply.json
    assert _ids(reply) == [a, b] and len(reply.calls) <= 4
    assert _variant(product.product_id, variant["id"]).gallery == [a, b]
    assert file_item(a).galleries == {f"variant:{product.product_id}:{variant['id']}"}
    removed = api.delete(f"/product-variants/{variant['id']}/gallery/{b}", token=manager.token)
    assert removed.status == 200 and _ids(removed) == [a] and len(removed.calls) <= 4
    assert _variant(product.product_id, variant["id"]).gallery == [a] and not file_item(b).galleries


def test_variant_gallery_needs_product_variants_update_and_an_existing_variant(api, manager, staff):
    product = make_product(api, manager.token, variants=0)
    variant = make_variant(api, manager.token, product.product_id)
    file_id = ready_file(api, manager.token)
    assert api.post(f"/product-variants/{variant['id']}/gallery", {"file_ids": [file_id]}, token=staff.token).status == 403
    assert api.post("/product-variants/01NOPE/gallery", {"file_ids": [file_id]}, token=manager.token).status == 404
    pending = ask_upload(api, manager.token).data["id"]
    assert api.post(f"/product-variants/{variant['id']}/gallery", {"file_ids": [pending]},
                    token=manager.token).status == 422


# --- deleting a file takes it out of every gallery --------------------------------------------------------


def test_deleting_a_file_removes_it_from_every_gallery(api, manager):
    product, other = make_product(api, manager.token, variants=0), make_product(api, manager.token, name="Mug", variants=0)
    variant = make_variant(api, manager.token, product.product_id)
    a, b = ready_file(api, manager.token), ready_file(api, manager.token)
    api.post(f"/products/{product.product_id}/gallery", {"file_ids": [a, b]}, token=manager.token)
    api.post(f"/products/{other.product_id}/gallery", {"file_ids": [a]}, token=manager.token)
    api.post(f"/product-variants/{variant['id']}/gallery", {"file_ids": [b, a]}, token=manager.token)
    version = _product(product.product_id).version
    reply = api.delete(f"/files/{a}", token=manager.token)
    assert reply.status == 200
    assert reply.calls.count("TransactWriteItems") == 1 and len(reply.calls) <= 4
    assert _product(product.product_id).gallery == [b] and _product(product.product_id).version == version + 1
    assert _product(other.product_id).gallery == []
    assert _variant(product.product_id, variant["id"]).gallery == [b]
    assert api.get(f"/files/{a}", token=manager.token).status == 404
    assert file_item(b).galleries == {f"product:{product.product_id}", f"variant:{product.product_id}:{variant['id']}"}


# --- the routes' shape -----------------------------------------------------------------------------------


def test_sibling_path_variables_agree_across_all_routes(api):
    """API Gateway refuses two different variable names at the same place of the path tree."""
    from app import app

    seen: dict[str, str] = {}
    for path in app.routes:
        parts = path.strip("/").split("/")
        for depth, part in enumerate(parts):
            if re.fullmatch(r"\{\w+\}", part):
                parent = "/".join(parts[:depth])
                assert seen.setdefault(parent, part) == part, f"{path}: {part} vs {seen[parent]} under /{parent}"


def test_openapi_describes_galleries_as_lists_of_files(api):
    document = api.get("/openapi.json").json
    document = document.get("data", document)
    schemas = document["components"]["schemas"]
    for path in ("/products/{product_id}/gallery", "/product-variants/{variant_id}/gallery"):
        success = document["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
        data = success["properties"]["data"]
        data = schemas[data["$ref"].rsplit("/", 1)[1]] if "$ref" in data else data
        assert data["type"] == "array"
    upload = document["paths"]["/files"]["post"]
    assert "201" in upload["responses"] and upload["requestBody"]["required"] is True


def test_product_and_variant_reads_render_the_gallery_with_download_links(api, manager):
    product = make_product(api, manager.token, variants=0)
    variant = make_variant(api, manager.token, product.product_id)
    a, b = ready_file(api, manager.token, filename="front.png"), ready_file(api, manager.token)
    api.post(f"/products/{product.product_id}/gallery", {"file_ids": [b, a]}, token=manager.token)
    api.post(f"/product-variants/{variant['id']}/gallery", {"file_ids": [a]}, token=manager.token)
    read = api.get(f"/products/{product.product_id}", token=manager.token)
    assert read.status == 200
    gallery = read.data["gallery"]
    assert [f["id"] for f in gallery] == [b, a]
    assert gallery[1]["filename"] == "front.png" and f"files/{a}.png" in gallery[1]["url"]
    seen = api.get(f"/product-variants/{variant['id']}", token=manager.token)
    assert [f["id"] for f in seen.data["gallery"]] == [a] and seen.data["gallery"][0]["url"]


def test_a_product_with_images_keeps_its_etag_across_reads(api, manager):
    # Download links are re-signed on every read; the ETag must still say "unchanged" until the product changes.
    import time

    product = make_product(api, manager.token, variants=0)
    api.post(f"/products/{product.product_id}/gallery", {"file_ids": [ready_file(api, manager.token)]}, token=manager.token)
    first = api.get(f"/products/{product.product_id}", token=manager.token)
    time.sleep(1.1)
    again = api.get(f"/products/{product.product_id}", token=manager.token, headers={"If-None-Match": first.headers["etag"]})
    assert again.status == 304
    stale = api.patch(f"/products/{product.product_id}", {"name": "Renamed"}, token=manager.token,
                      headers={"If-Match": first.headers["etag"]})
    assert stale.status == 200
    after = api.get(f"/products/{product.product_id}", token=manager.token, headers={"If-None-Match": first.headers["etag"]})
    assert after.status == 200 and after.data["name"] == "Renamed"
