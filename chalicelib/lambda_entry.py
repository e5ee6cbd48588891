"""Lambda entry point for one route's function when infra/functions.json says "entry": "module": an app with
only the Blueprint of that route's module (CATALOG_ROUTE_MODULE), so a cold start loads that domain's routes
and schemas instead of every domain's. Chalice dispatches on requestContext.resourcePath + httpMethod, which
API Gateway sends for the route this function serves. Mirrors app.py: blueprint(s), then wiring.install.
Handler string: chalicelib.lambda_entry.app."""
from __future__ import annotations

import importlib
import os

from chalicelib.core import wiring
from chalicelib.identity.gate import authenticate_request


def build(module_names: list[str]) -> wiring.CatalogApp:
    """An app with the blueprints named `bp` in `module_names`, wired like app.py's."""
    app = wiring.CatalogApp(app_name="catalog-api")
    for name in module_names:
        app.register_blueprint(importlib.import_module(name).bp)
    wiring.install(app, authenticate=authenticate_request)
    return app


app = build([m for m in os.environ.get("CATALOG_ROUTE_MODULE", "").split(",") if m])
