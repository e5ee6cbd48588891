"""Catalog API: one Blueprint per domain, wired to the shared pipeline. Nothing of substance lives here."""
from chalice import Chalice

from chalicelib.core import wiring
from chalicelib.health.routes import bp as health_bp

app = Chalice(app_name="catalog-api")

for blueprint in (health_bp,):
    app.register_blueprint(blueprint)

wiring.install(app)
