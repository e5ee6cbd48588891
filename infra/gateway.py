"""API Gateway's own answers, in the API's envelope. The template's GatewayResponses and the local
stand-ins (chalice local, chalice.test.Client) both use these, so an unknown path is a 404 everywhere."""
from __future__ import annotations

import json
from typing import Any

from chalicelib.core import i18n
from chalicelib.core.wiring import PRIVATE, SECURITY_HEADERS

ROUTE_NOT_FOUND = {"success": False, "error": i18n.ROUTE_NOT_FOUND.fr}

# API Gateway response type → (status, envelope) for the template's AWS::ApiGateway::GatewayResponse.
# Their templates are not VTL (simple $context substitution only), so they cannot follow Accept-Language:
# they answer in the API's default language, French (docs/decisions.md, "Unknown routes").
GATEWAY_RESPONSES: dict[str, tuple[int, dict[str, Any]]] = {
    "MISSING_AUTHENTICATION_TOKEN": (404, ROUTE_NOT_FOUND),
    "RESOURCE_NOT_FOUND": (404, ROUTE_NOT_FOUND),
    "REQUEST_TOO_LARGE": (413, {"success": False, "error": "Le corps de la requête dépasse 1 Mio"}),
    "THROTTLED": (429, {"success": False, "error": "Trop de requêtes, réessayez plus tard"}),
    "DEFAULT_5XX": (503, {"success": False, "error": "Service temporairement indisponible, réessayez"}),
}
# Headers on every gateway answer, as on the API's own (core.wiring): nosniff, HSTS, never cached.
GATEWAY_HEADERS = {"Content-Type": "application/json; charset=utf-8", **SECURITY_HEADERS, "Cache-Control": PRIVATE}


def route_not_found(accept_language: str | None) -> dict[str, Any]:
    """The unknown-route answer of the local stand-ins, in the request's language like every other error."""
    i18n.set_language(accept_language)
    return {"statusCode": 404, "headers": dict(GATEWAY_HEADERS), "multiValueHeaders": {},
            "body": json.dumps({"success": False, "error": i18n.ROUTE_NOT_FOUND.render()}, ensure_ascii=False)}
