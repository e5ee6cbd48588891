"""Run against a running local stack (its AWS stand-in's table) to set up or read what the browser test needs
that no route offers yet: `product` writes a product and prints its id; `token EMAIL` starts a session for a
seeded user and prints an access token; `gallery PRODUCT_ID` prints the product's stored gallery as JSON.

The environment says where the table is (AWS_ENDPOINT_URL_DYNAMODB, TABLE_NAME, JWT_KEYS like the stack's)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main(command: str, *args: str) -> None:
    from chalicelib.core import keys

    if command == "product":
        from tests.builders_media import make_product

        print(json.dumps({"id": make_product("Browser swatch").id}))
    elif command == "token":
        from chalicelib.core.tx import UniqueValue
        from chalicelib.identity.models import UserItem
        from chalicelib.identity.sessions import start_session

        owner = UniqueValue.get(*keys.unique_key("email", args[0].lower()), consistent_read=True).owner_id
        user = UserItem.get(*keys.user_key(owner), consistent_read=True)
        print(json.dumps({"access_token": start_session(user).access_token}))
    elif command == "gallery":
        from chalicelib.products.models import ProductItem

        product = ProductItem.get(*keys.product_key(args[0]), consistent_read=True)
        print(json.dumps({"gallery": list(product.gallery or [])}))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(*sys.argv[1:])
