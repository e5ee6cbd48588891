"""The pipeline's authentication step, given to core.http by the app (`wiring.install(app, authenticate=...)`).

Cheap to import: authn (PynamoDB, PyJWT) loads on the first authenticated request, not at `import app`."""
from __future__ import annotations

from typing import Any


def authenticate_request(authorization: str | None, permission: str | None) -> Any:
    """The caller's Principal (401 without a valid token); 403 unless they hold `permission` (when given)."""
    from chalicelib.identity.authn import authenticate, require

    principal = authenticate(authorization)
    if permission:
        require(principal, permission)
    return principal
