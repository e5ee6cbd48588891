"""Operations: health check, the OpenAPI document and the interactive reference that renders it."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint
from pydantic import ConfigDict

from chalicelib.core.http import Req, route
from chalicelib.core.schemas import Output

bp = Blueprint(__name__)


class HealthOut(Output):
    status: str
    table: str


@route(bp, "GET", "/health", summary="Liveness and table reachability", response=HealthOut, public=True)
def health(req: Req) -> HealthOut:
    """200 once the table answers; 503 (with Retry-After) when it does not."""
    from chalicelib.core.table import Entity

    Entity._get_connection().get_item("HEALTH", range_key="HEALTH")
    return HealthOut(status="ok", table="reachable")


class OpenApiDocument(Output):
    """The OpenAPI 3.1 document itself (answered as it is, without the envelope)."""

    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]
    components: dict[str, Any]


@route(bp, "GET", "/openapi.json", summary="The OpenAPI 3.1 document of this API", response=OpenApiDocument,
       raw=True, public=True)
def openapi(req: Req) -> Any:
    """Generated from the route table and the pydantic schemas."""
    from chalice import Response

    from chalicelib.core.openapi import build_document
    from chalicelib.core.responses import json_response

    response: Response = json_response(build_document(), 200)
    return response


# The reference page is not an operation of the API (HTML and static assets, no envelope), so it is a plain
# Blueprint route rather than a `route(...)`: it stays out of the OpenAPI document it renders.
@bp.route("/docs", methods=["GET"])
def docs_page() -> Any:
    """Swagger UI over /openapi.json, served without any outside network (chalicelib/health/docs.py)."""
    from chalicelib.health import docs

    return docs.page()


@bp.route("/docs/{asset}", methods=["GET"])
def docs_asset(asset: str) -> Any:
    """The page's scripts and style sheet."""
    from chalicelib.health import docs

    return docs.asset(asset)
