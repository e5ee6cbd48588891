"""The pipeline's authentication step, given to core.http by the app (`wiring.install(app, authenticate=...)`).

Cheap to import: authn (PynamoDB, PyJWT) loads on the first authenticated request, not at `import app`."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chalicelib.core.keys import Key


def authenticate_request(authorization: str | None, permission: str | None,
                         also: Callable[[str], list[Key]] | None = None) -> tuple[Any, Mapping[Key, Any]]:
    """(the caller's Principal, the items at the keys `also(user_id)` names, read in the same BatchGetItem):
    401 without a valid token; 403 unless they hold `permission` (when given)."""
    from chalicelib.identity.authn import authenticate, require

    principal, found = authenticate(authorization, also)
    if permission:
        require(principal, permission)
    return principal, found
