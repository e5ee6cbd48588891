"""The shared pipeline seen through a small app of its own: status codes, envelope, languages, ETags,
pagination cursors, idempotency, 503 on backend trouble (injected at the botocore edge), no Scan."""
from __future__ import annotations

import json
from typing import Any, Iterator

import pytest
from botocore.awsrequest import AWSResponse
from chalice import Blueprint
from chalice.test import Client
from pydantic import Field

from chalicelib.core import http, keys, wiring
from chalicelib.core.errors import NotFound
from chalicelib.core.http import Req, route
from chalicelib.core.i18n import T
from chalicelib.core.pagination import PageQuery, paginate
from chalicelib.core.schemas import Input, Output
from chalicelib.core.table import Entity
from chalicelib.core.tx import Tx, UniqueValue
from chalicelib.identity.gate import authenticate_request
from tests.conftest import Api

bp = Blueprint("pipeline_test")
_before = len(http.ROUTES)


class NoteIn(Input):
    title: str = Field(min_length=1, max_length=20)
    count: int = Field(0, ge=0, le=10)


class NoteOut(Output):
    id: str
    title: str


def _note(note_id: str) -> NoteOut:
    try:
        item = UniqueValue.get(*keys.unique_key("note", note_id))
    except UniqueValue.DoesNotExist:
        raise NotFound() from None
    return NoteOut(id=note_id, title=item.owner_id)


@route(bp, "POST", "/notes", summary="t", body=NoteIn, response=NoteOut, status=201, public=True,
       message=T("Note créée", "Note created"), replay=_note)
def create_note(req: Req) -> NoteOut:
    note_id = f"n{len(req.body.title)}{req.body.count}"
    tx = Tx()
    tx.reserve("note", note_id, req.body.title)
    tx.reserve("note-extra", note_id, req.body.title)
    tx.count("notes")
    tx.commit(created_id=note_id)
    return NoteOut(id=note_id, title=req.body.title)


@route(bp, "GET", "/notes/{note_id}", summary="t", response=NoteOut, public=True)
def get_note(req: Req, note_id: str) -> NoteOut:
    return _note(note_id)


@route(bp, "GET", "/notes", summary="t", query=PageQuery, response=NoteOut, public=True)
def list_notes(req: Req) -> Any:
    page = paginate(lambda limit, start: UniqueValue.gsi1.query("NOTES", limit=limit, page_size=limit,
                                                                last_evaluated_key=start, scan_index_forward=False),
                    params=req.query, scope="notes", total="notes", index="gsi1")
    page.items = [NoteOut(id=i.sk, title=i.owner_id) for i in page.items]  # type: ignore[misc]
    return page


@route(bp, "GET", "/boom", summary="t", public=True)
def boom(req: Req) -> Any:
    raise RuntimeError("secret internals: password=hunter2")


@route(bp, "GET", "/scan", summary="t", public=True)
def scan(req: Req) -> Any:
    return [i.pk for i in Entity.scan(limit=1)]


@route(bp, "GET", "/private", summary="t")
def private(req: Req) -> Any:
    return {"user": req.principal.user_id}


del http.ROUTES[_before:]  # keep the real app's OpenAPI document free of these
pipeline_app = wiring.CatalogApp(app_name="pipeline-test")
pipeline_app.register_blueprint(bp)
wiring.install(pipeline_app, authenticate=authenticate_request)  # as app.py does (this file may run first)


@pytest.fixture
def papi(aws: None) -> Iterator[Api]:
    with Client(pipeline_app, stage_name="test") as client:
        yield Api(client)


def test_created_resource_uses_the_envelope_with_message_and_etag(papi):
    reply = papi.post("/notes", {"title": "hello"})
    assert reply.status == 201
    assert reply.json == {"success": True, "data": {"id": "n50", "title": "hello"}, "message": "Note créée"}
    assert reply.headers["etag"].startswith('"')


def test_english_on_accept_language(papi):
    reply = papi.post("/notes", {"title": "hello"}, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert reply.json["message"] == "Note created"


def test_validation_errors_per_field_in_french_then_english(papi):
    reply = papi.post("/notes", {"count": 11, "extra": 1})
    assert reply.status == 422
    assert reply.json["success"] is False
    assert reply.json["error"] == "Validation échouée"
    assert reply.errors["title"] == ["Le champ title est obligatoire."]
    assert reply.errors["count"] == ["Le champ count doit être inférieur ou égal à 10."]
    assert reply.errors["extra"] == ["Le champ extra n'est pas autorisé."]
    english = papi.post("/notes", {"title": "x" * 21}, headers={"Accept-Language": "en"})
    assert english.json["error"] == "Validation failed"
    assert english.errors["title"] == ["The title field must not exceed 20 characters."]


def test_body_must_be_a_json_object(papi):
    reply = papi.post("/notes", [1, 2])
    assert reply.status == 422
    assert "body" in reply.errors


def test_malformed_json_is_400(papi):
    reply = papi.request("POST", "/notes", raw="{not json")
    assert reply.status == 400
    assert reply.json == {"success": False, "error": "Le corps de la requête n'est pas un JSON valide"}


def test_other_content_type_is_415(papi):
    reply = papi.request("POST", "/notes", raw="title=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 415
    assert reply.json["success"] is False
    odd = papi.request("POST", "/notes", raw="x", headers={"Content-Type": "image/png"})
    assert odd.status == 415
    assert odd.json["success"] is False


def test_body_over_one_mebibyte_is_413(papi):
    reply = papi.request("POST", "/notes", raw=json.dumps({"title": "x" * (1024 * 1024)}))
    assert reply.status == 413
    assert reply.json["success"] is False


def test_unexpected_error_is_500_without_internals(papi, caplog):
    reply = papi.get("/boom")
    assert reply.status == 500
    assert reply.json == {"success": False, "error": "Erreur interne du serveur"}
    assert "hunter2" not in reply.body.decode()
    assert reply.headers["x-request-id"]


def test_a_scan_on_a_request_path_is_refused(papi):
    reply = papi.get("/scan")
    assert reply.status == 500
    assert "Scan" in reply.calls


def test_missing_or_bad_token_is_401(papi):
    assert papi.get("/private").status == 401
    reply = papi.get("/private", token="not-a-jwt")
    assert reply.status == 401
    assert reply.json == {"success": False, "error": "Non authentifié"}


def test_if_none_match_gives_304(papi):
    created = papi.post("/notes", {"title": "abc"})
    first = papi.get(f"/notes/{created.data['id']}")
    assert first.status == 200
    again = papi.get(f"/notes/{created.data['id']}", headers={"If-None-Match": first.headers["etag"]})
    assert again.status == 304
    assert again.body == b""


def test_conflicting_unique_value_is_409_and_writes_nothing(papi):
    assert papi.post("/notes", {"title": "same"}).status == 201
    reply = papi.post("/notes", {"title": "same"})
    assert reply.status == 409
    assert reply.json["success"] is False
    assert papi.get("/notes").json["meta"]["total"] == 1


def test_idempotency_key_replays_and_refuses_another_body(papi):
    key = {"Idempotency-Key": "k-123"}
    first = papi.post("/notes", {"title": "idem"}, headers=key)
    again = papi.post("/notes", {"title": "idem"}, headers=key)
    assert first.status == again.status == 201
    assert again.data == first.data
    assert again.headers["idempotent-replayed"] == "true"
    other = papi.post("/notes", {"title": "other"}, headers=key)
    assert other.status == 422
    assert "Idempotency-Key" in other.errors
    assert papi.get("/notes").json["meta"]["total"] == 1


def _fill(n: int) -> None:
    for i in range(n):
        item = UniqueValue(*keys.unique_key("listed", f"{i:03d}"), owner_id=f"note {i}")
        item.gsi1pk, item.gsi1sk = "NOTES", f"{i:03d}"
        tx = Tx()
        tx.put(item)
        tx.count("notes")
        tx.commit()


def test_cursor_pages_cover_every_item_once_with_totals(papi):
    _fill(23)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        path = "/notes?per_page=10" + (f"&cursor={cursor}" if cursor else "")
        reply = papi.get(path)
        assert reply.status == 200
        pages += 1
        meta = reply.json["meta"]
        assert meta["total"] == 23 and meta["last_page"] == 3 and meta["current_page"] == pages
        assert len(reply.calls) <= 2
        seen += [n["title"] for n in reply.data]
        cursor = meta["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 23


def test_tampered_cursor_and_bad_per_page_are_422(papi):
    _fill(3)
    cursor = papi.get("/notes?per_page=1").json["meta"]["next_cursor"]
    body, sig = cursor.split(".")
    forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + sig
    assert papi.get(f"/notes?per_page=1&cursor={forged}").status == 422
    assert papi.get("/notes?per_page=1&cursor=garbage").errors["cursor"]
    assert papi.get("/notes?per_page=0").status == 422
    assert papi.get("/notes?per_page=101").errors["per_page"]


def _inject(error_code: str | None = None, *, operation: str = "*", connection: bool = False):
    """Make DynamoDB calls fail at the botocore edge, before anything is sent: throttling or no connection."""
    from botocore.exceptions import EndpointConnectionError

    client = Entity._get_connection().connection.client

    def handler(**kwargs: Any) -> Any:
        if connection:
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
        http_response = AWSResponse("http://127.0.0.1", 400, {}, None)
        return http_response, {"Error": {"Code": error_code, "Message": "Rate exceeded"},
                               "ResponseMetadata": {"HTTPStatusCode": 400}}

    event = f"before-call.dynamodb.{operation}"
    client.meta.events.register_first(event, handler, unique_id="inject-failure")
    return lambda: client.meta.events.unregister(event, unique_id="inject-failure")


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException"])
def test_throttled_backend_is_503_with_retry_after_and_nothing_written(papi, code):
    undo = _inject(code, operation="TransactWriteItems")
    try:
        reply = papi.post("/notes", {"title": "throttled"})
    finally:
        undo()
    assert reply.status == 503
    assert reply.headers["retry-after"] == "1"
    assert reply.json == {"success": False, "error": "Service temporairement indisponible, réessayez"}
    assert papi.get("/notes").json["meta"]["total"] == 0
    assert papi.get("/notes/n90").status == 404


def test_unreachable_backend_is_503(papi):
    undo = _inject(connection=True)
    try:
        reply = papi.get("/notes/n10")
    finally:
        undo()
    assert reply.status == 503
    assert reply.headers["retry-after"]
