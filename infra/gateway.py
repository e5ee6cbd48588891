"""API Gateway's own answers, in the API's envelope. The template's GatewayResponses and the local
stand-ins (chalice local, chalice.test.Client) both use these, so an unknown path is a 404 everywhere."""
from __future__ import annotations

from typing import Any

ROUTE_NOT_FOUND = {"success": False, "error": "Route introuvable"}

# API Gateway response type → (status, envelope) for the template's AWS::ApiGateway::GatewayResponse.
GATEWAY_RESPONSES: dict[str, tuple[int, dict[str, Any]]] = {
    "MISSING_AUTHENTICATION_TOKEN": (404, ROUTE_NOT_FOUND),
    "RESOURCE_NOT_FOUND": (404, ROUTE_NOT_FOUND),
    "REQUEST_TOO_LARGE": (413, {"success": False, "error": "Le corps de la requête dépasse 1 Mio"}),
    "THROTTLED": (429, {"success": False, "error": "Trop de requêtes, réessayez plus tard"}),
    "DEFAULT_5XX": (503, {"success": False, "error": "Service temporairement indisponible, réessayez"}),
}
