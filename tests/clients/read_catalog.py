"""A front-end's use of the client openapi-python-client generates from /openapi.json (scripts/test_clients.sh):
read a product with its variants priced in a store, read a store with its currency. Type-checked with mypy --strict, not run:
every field used here must be typed by the document (a `data` typed as unknown or optional fails the check)."""
from __future__ import annotations

from catalog_api_client import AuthenticatedClient
from catalog_api_client.api.products import products_get_product
from catalog_api_client.api.stores import stores_get_store
from catalog_api_client.models import ErrorEnvelope, ProductDetail, StoreOut


def product_with_variants(client: AuthenticatedClient, product_id: str,
                          store_id: str) -> tuple[str, list[tuple[str, str | None, str]]]:
    """The product's variants priced in a store: (sku, price or None when not sold there, currency)."""
    reply = products_get_product.sync(product_id, client=client, include="variants", store_id=store_id)
    if reply is None or isinstance(reply, ErrorEnvelope):
        raise LookupError(product_id)
    product: ProductDetail = reply.data
    variants = product.variants if isinstance(product.variants, list) else []
    return product.name, [(variant.sku, variant.price, variant.currency) for variant in variants]


def store_currency(client: AuthenticatedClient, store_id: str) -> tuple[str, str]:
    reply = stores_get_store.sync(store_id, client=client)
    if reply is None or isinstance(reply, ErrorEnvelope):
        raise LookupError(store_id)
    store: StoreOut = reply.data
    return store.name, store.currency


def main() -> None:
    client = AuthenticatedClient(base_url="http://127.0.0.1:8000", token="a-token")
    name, variants = product_with_variants(client, "P1", "S1")
    store, currency = store_currency(client, "S1")
    print(name, variants, store, currency)


if __name__ == "__main__":
    main()
