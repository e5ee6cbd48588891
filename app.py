"""Catalog API: one Blueprint per domain, wired to the shared pipeline. Nothing of substance lives here."""
from chalicelib.addresses.routes import bp as addresses
from chalicelib.catalog.galleries.routes import bp as galleries
from chalicelib.catalog.links.routes import bp as links
from chalicelib.catalog.options.routes import bp as options
from chalicelib.catalog.prices.routes import bp as prices
from chalicelib.catalog.products.routes import bp as products
from chalicelib.catalog.reservations.routes import bp as reservations
from chalicelib.catalog.reservations.sweep_function import bp as sweeping
from chalicelib.catalog.stock.routes import bp as stock
from chalicelib.catalog.variants.routes import bp as variants
from chalicelib.categories.routes import bp as categories
from chalicelib.core import wiring
from chalicelib.health.routes import bp as health
from chalicelib.identity.gate import authenticate_request
from chalicelib.identity.routes import bp as identity
from chalicelib.identity.seed_function import bp as seeding
from chalicelib.media.routes import bp as media
from chalicelib.stores.routes import bp as stores
from chalicelib.users.routes import bp as users

app = wiring.CatalogApp(app_name="catalog-api")

for blueprint in (health, identity, users, addresses, categories, products, options, variants, links, prices, stock,
                  reservations, stores, galleries, media, seeding, sweeping):
    app.register_blueprint(blueprint)

wiring.install(app, authenticate=authenticate_request)
