"""Primary keys, index partitions and lookup keys of the single table, so the data model reads in one place
(docs/data-model.md). List partitions and counter names that belong to one item type are built next to that
item (`catalog/links/models.py`, `catalog/stock/models.py`, `stores/models.py`)."""
from __future__ import annotations

Key = tuple[str, str]  # (pk, sk) of an item

# --- shared machinery ---------------------------------------------------------------------------


def counter_key(name: str) -> tuple[str, str]:
    """A list total kept up to date in the same transaction as the writes."""
    return f"COUNT#{name}", "COUNT"


def idempotency_key(actor_id: str, key: str) -> tuple[str, str]:
    return f"IDEMP#{actor_id}#{key}", "IDEMP"


def rate_limit_key(scope: str, subject: str, window: int) -> tuple[str, str]:
    return f"RATE#{scope}#{subject}", f"WINDOW#{window}"


def unique_key(kind: str, value: str) -> tuple[str, str]:
    """A reservation item that makes `value` unique for `kind` (emails, slugs, SKUs)."""
    return f"UNIQUE#{kind}#{value}", "UNIQUE"


def sequence_key(kind: str, value: str) -> tuple[str, str]:
    """A counter handing out suffixes (slug, slug-1, slug-2…) for one base value."""
    return f"SEQ#{kind}#{value}", "SEQ"


# --- identity -----------------------------------------------------------------------------------


def user_key(user_id: str) -> tuple[str, str]:
    return f"USER#{user_id}", "PROFILE"


def users_all_partition() -> str:
    """gsi1: every user, trashed included, newest first."""
    return "USERS"


def users_state_partition(trashed: bool) -> str:
    """gsi2: live users or trashed users."""
    return "USERS#trashed" if trashed else "USERS#live"


def user_role_key(user_id: str, role: str) -> tuple[str, str]:
    """Membership item: gsi1 `ROLE#<name>#USERS` lists a role's users."""
    return f"USER#{user_id}", f"ROLE#{role}"


def role_users_partition(role: str) -> str:
    return f"ROLE#{role}#USERS"


def role_users_state_partition(role: str, trashed: bool) -> str:
    """gsi2 of a membership: a role's live or trashed users (`GET /users?role=X&trashed=…`)."""
    return f"ROLE#{role}#USERS#{'trashed' if trashed else 'live'}"


def session_key(user_id: str, session_id: str) -> tuple[str, str]:
    """A login session lives next to its user so one BatchGetItem authenticates a request."""
    return f"USER#{user_id}", f"SESSION#{session_id}"


def role_key(name: str) -> tuple[str, str]:
    return f"ROLE#{name}", "ROLE"


def roles_partition() -> str:
    """gsi1: every role, by name."""
    return "ROLES"


def address_key(user_id: str, address_id: str) -> tuple[str, str]:
    """Addresses live in their owner's partition: another user's address is simply absent (404)."""
    return f"USER#{user_id}", f"ADDRESS#{address_id}"


def address_lookup_partition(address_id: str) -> str:
    """gsi1: an address by id alone (admin reads)."""
    return f"ADDRESS#{address_id}"


def address_book_key(user_id: str) -> tuple[str, str]:
    """One item per user pointing at its default address: the condition that keeps a single default."""
    return f"USER#{user_id}", "ADDRESSBOOK"


def address_partition_prefix() -> str:
    """sk prefix of a user's addresses (the address book item's sk does not start with it)."""
    return "ADDRESS#"


# --- catalog (categories, products, options, values, variants) ----------------------------------


def category_key(category_id: str) -> tuple[str, str]:
    return f"CATEGORY#{category_id}", "CATEGORY"


def product_key(product_id: str) -> tuple[str, str]:
    """The product's item collection (pk PRODUCT#<id>) also holds its options, values, variants,
    store links, stock and gallery, so `GET /products/{id}` is one Query."""
    return f"PRODUCT#{product_id}", "PRODUCT"


def product_listing_key(product_id: str) -> tuple[str, str]:
    """A small item that lists the product in the partitions the product item has no index left for."""
    return f"PRODUCT#{product_id}", "LISTING"


def product_partition(product_id: str) -> str:
    return f"PRODUCT#{product_id}"


def option_key(product_id: str, option_id: str) -> tuple[str, str]:
    return f"PRODUCT#{product_id}", f"OPTION#{option_id}"


def option_value_key(product_id: str, option_id: str, value_id: str) -> tuple[str, str]:
    return f"PRODUCT#{product_id}", f"OPTION#{option_id}#VALUE#{value_id}"


def variant_key(product_id: str, variant_id: str) -> tuple[str, str]:
    return f"PRODUCT#{product_id}", f"VARIANT#{variant_id}"


def variant_pointer_key(variant_id: str) -> tuple[str, str]:
    """A variant's product, by the variant's id alone (catalog VariantPointerItem)."""
    return f"VARIANT#{variant_id}", "VARIANT"


def lookup_partition(kind: str, item_id: str) -> str:
    """gsi5: find a child item (option, value, variant) by its id alone: gsi5pk=<KIND>#<id>, gsi5sk=<KIND>."""
    return f"{kind.upper()}#{item_id}"


def categories_partition(active_only: bool = False) -> str:
    """gsi2 every category / gsi4 active categories (customers), by position."""
    return "CATEGORIES#A:1" if active_only else "CATEGORIES"


def category_children_partition(parent_id: str | None, active_only: bool = False) -> str:
    """gsi1 children of a parent (`root` for the top level) / gsi3 its active children."""
    base = f"CATEGORIES#P:{parent_id or 'root'}"
    return f"{base}#A:1" if active_only else base


def products_partition(*, active: bool | None = None, category_id: str | None = None,
                       featured: bool | None = None) -> str:
    """The live (not soft-deleted) products of one list: gsi1 all, gsi2 by is_active, gsi3 by category,
    gsi4 by category and is_active, gsi5 by is_featured and is_active. Sort key: the id (newest first)."""
    parts = ["PRODUCTS"]
    if category_id is not None:
        parts.append(f"C:{category_id}")
    if featured is not None:
        parts.append(f"F:{int(featured)}")
    if active is not None:
        parts.append(f"A:{int(active)}")
    return "#".join(parts)


def store_products_state_partition(store_id: str, active: bool) -> str:
    """gsi2 of a product ↔ store link: the store's live products by is_active (`?store_id=` for customers)."""
    return f"STORE#{store_id}#PRODUCTS#A:{int(active)}"


def variant_combination_unique(product_id: str, option_value_ids: list[str]) -> tuple[str, str]:
    """No two variants of a product share a combination of option values (the empty one included)."""
    return "variant-combination", f"{product_id}#{'.'.join(sorted(option_value_ids))}"

# --- stores, memberships, product links, stock --------------------------------------------------


def store_key(store_id: str) -> tuple[str, str]:
    return f"STORE#{store_id}", "STORE"


def stores_all_partition() -> str:
    """gsi1: every store (not being deleted), newest first."""
    return "STORES"


def stores_state_partition(is_active: bool) -> str:
    """gsi2: active or inactive stores (`GET /stores?is_active=`)."""
    return "STORES#active" if is_active else "STORES#inactive"


def store_member_key(store_id: str, user_id: str) -> tuple[str, str]:
    """Membership lives in the store's partition; a policy check is one GetItem or ConditionCheck."""
    return f"STORE#{store_id}", f"MEMBER#{user_id}"


STORE_MEMBER_PREFIX = "MEMBER#"  # sk prefix of memberships inside STORE#<id>: the store's members are one Query


def user_stores_partition(user_id: str) -> str:
    """gsi1 of a membership: the stores a user belongs to."""
    return f"USER#{user_id}#STORES"


def store_links_partition(store_id: str) -> str:
    """gsi3 of a product ↔ store link: EVERY link of a store, soft-deleted products' included (the catalog
    moves gsi1/gsi2 with the product's state; this one stays), so deleting a store finds them all."""
    return f"STORE#{store_id}#LINKS"


def product_store_key(product_id: str, store_id: str) -> tuple[str, str]:
    """The product ↔ store link lives in the product's collection; gsi1 STORE#<id>#PRODUCTS lists a store's."""
    return f"PRODUCT#{product_id}", f"STORE#{store_id}"


def stock_key(product_id: str, variant_id: str, store_id: str) -> tuple[str, str]:
    """Stock per (variant, store), in the product's collection so product reads carry it."""
    return f"PRODUCT#{product_id}", f"STOCK#{variant_id}#{store_id}"


def price_key(product_id: str, variant_id: str, store_id: str) -> tuple[str, str]:
    """A store's price override of a variant, in the product's partition under the variant's per-store prefix
    (`variant_stock_prefix`): the product's Query reads it, and the consistent Queries that deleting a variant
    (sk `STOCK#<vid>#`) and detaching a product (sk `STO…`, filtered on the store) make find it with the stock."""
    return f"PRODUCT#{product_id}", f"STOCK#{variant_id}#PRICE#{store_id}"


def price_batch_key(store_id: str) -> tuple[str, str]:
    """A store's bulk price write in progress (catalog/prices: more rows than one transaction holds)."""
    return f"STORE#{store_id}", "PRICEBATCH"


def variant_stock_prefix(variant_id: str) -> str:  # the variant's stock records and price overrides
    """sk prefix of a variant's stock records (every store) inside its product's partition."""
    return f"STOCK#{variant_id}#"


def stock_ledger_partition(variant_id: str, store_id: str) -> str:
    """The movements of one stock entry, in a partition of their own (never in the product's collection, whose
    one-Query read must not grow with history); it outlives the entry."""
    return f"LEDGER#{variant_id}#{store_id}"


MOVEMENT_PREFIX = "MOVE#"  # sk prefix of a movement in its ledger partition (then its id: time-ordered)


def movement_key(variant_id: str, store_id: str, movement_id: str) -> tuple[str, str]:
    return stock_ledger_partition(variant_id, store_id), f"{MOVEMENT_PREFIX}{movement_id}"


def store_movements_partition(store_id: str) -> str:
    """gsi1 of a movement: every movement of a store, by id (newest last)."""
    return f"STORE#{store_id}#MOVEMENTS"


def reservation_key(reservation_id: str) -> tuple[str, str]:
    return f"RESERVATION#{reservation_id}", "RESERVATION"


def due_reservations_partition() -> str:
    """gsi1 of an active reservation (sparse: removed when it ends), sorted by expiry: the sweep's work list."""
    return "RESERVATIONS#ACTIVE"

# --- media (files, galleries) -------------------------------------------------------------------


def file_key(file_id: str) -> tuple[str, str]:
    return f"FILE#{file_id}", "FILE"


def product_gallery_ref(product_id: str) -> str:
    """An entry of FileItem.galleries: the file is in this product's gallery."""
    return f"product:{product_id}"


def variant_gallery_ref(product_id: str, variant_id: str) -> str:
    """An entry of FileItem.galleries: the file is in this variant's gallery (the product id locates its item)."""
    return f"variant:{product_id}:{variant_id}"


def gallery_owner_key(ref: str) -> tuple[str, str]:
    """The item holding the gallery a FileItem.galleries entry names."""
    kind, _, rest = ref.partition(":")
    if kind == "product":
        return product_key(rest)
    product_id, _, variant_id = rest.partition(":")
    return variant_key(product_id, variant_id)
