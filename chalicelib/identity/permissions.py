"""The permission catalogue and the four built-in roles (docs/api.md §4)."""
from __future__ import annotations

RESOURCES: dict[str, tuple[str, ...]] = {
    "users": ("view", "create", "update", "delete", "restore"),
    "roles": ("view", "manage"),
    "stores": ("view", "create", "update", "delete", "attach_users"),
    "products": ("view", "create", "update", "delete", "attach_gallery"),
    "product_variants": ("view", "create", "update", "delete"),
    "stock": ("update", "reserve"),
    "prices": ("update",),
    "product_categories": ("view", "create", "update", "delete"),
    "product_options": ("view", "create", "update", "delete"),
    "product_option_values": ("view", "create", "update", "delete"),
    "files": ("upload", "delete"),
}

PERMISSIONS: tuple[str, ...] = tuple(f"{resource}.{action}" for resource, actions in RESOURCES.items() for action in actions)

_CATALOG_READ = ("products.view", "product_variants.view", "product_categories.view",
                 "product_options.view", "product_option_values.view")
_CATALOG_WRITE = tuple(
    f"{resource}.{action}"
    for resource in ("products", "product_variants", "product_categories", "product_options", "product_option_values")
    for action in RESOURCES[resource]
)

BUILTIN_ROLES: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "manager": frozenset(_CATALOG_WRITE + ("stores.view", "stores.update", "stores.attach_users", "stock.update",
                                           "stock.reserve", "prices.update",
                                           "users.view", "files.upload", "files.delete")),
    "staff": frozenset(_CATALOG_READ + ("stores.view", "stock.update", "stock.reserve", "files.upload")),
    "customer": frozenset(_CATALOG_READ + ("stores.view",)),
}

ROLE_DESCRIPTIONS: dict[str, str] = {
    "admin": "Everything.",
    "manager": "Catalog, the stores they belong to (their stock, prices and reservations), read users.",
    "staff": "Read the catalog; stock and reservations of the stores they belong to.",
    "customer": "Read the active catalog, own addresses.",
}

# Roles whose holders see inactive catalog entries; everyone else is treated as a customer.
CATALOG_STAFF_PERMISSION = "products.update"
# Holders of either run stores and see inactive ones; everyone else sees active stores only.
STORE_STAFF_PERMISSIONS = ("stores.update", "stock.update")
