"""The interactive API reference at GET /docs: Swagger UI (npm swagger-ui-dist, fetched by scripts/swagger_ui.sh
into static/swagger-ui/) rendering /openapi.json, every byte served by the API itself. Loaded by the views on
their first call, so no other route's cold start reads these files."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from chalice import Response

from chalicelib.core.errors import NotFound
from chalicelib.core.responses import error_response

STATIC = Path(__file__).resolve().parent / "static"
# Name in the URL → (file under static/, content type). Nothing outside this list is ever read.
ASSETS: dict[str, tuple[str, str]] = {
    "swagger-ui-bundle.js": ("swagger-ui/swagger-ui-bundle.js", "application/javascript; charset=utf-8"),
    "swagger-ui.css": ("swagger-ui/swagger-ui.css", "text/css; charset=utf-8"),
    "init.js": ("init.js", "application/javascript; charset=utf-8"),
}
# The browser itself refuses anything from another origin (data: for Swagger UI's inline SVG icons; its
# React components set style attributes, hence 'unsafe-inline' for styles only).
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
                           "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff"}


@lru_cache(maxsize=None)
def _read(relative: str) -> str:
    return (STATIC / relative).read_text(encoding="utf-8")


def page() -> Response:
    """The HTML page; revalidated on every visit so a new deployment shows at once."""
    return Response(body=_read("docs.html"), status_code=200,
                    headers={**_HEADERS, "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"})


def asset(name: str) -> Response:
    """One of the page's scripts or style sheets; 404 in the envelope for any other name."""
    if name not in ASSETS:
        return error_response(NotFound())
    relative, content_type = ASSETS[name]
    return Response(body=_read(relative), status_code=200,
                    headers={**_HEADERS, "Content-Type": content_type, "Cache-Control": "public, max-age=3600"})
