"""The seed (built-in roles + the first admin) as a deployed function of its own, with no route: invoked once
after a deployment (`aws lambda invoke`, docs/deployment.md), so the admin's password travels in the invocation,
never in the template, and nothing outside the stack writes to the table."""
from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.core.lazy import lazy_import

# Loaded on first use: importing app.py (every route function's init) stays free of PynamoDB/botocore.
seeding = lazy_import("chalicelib.identity.seed")

bp = Blueprint(__name__)


@bp.lambda_function(name="seed")
def seed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """{"email", "password"} → built-in roles written; the admin created unless the e-mail is taken."""
    email, password = event.get("email"), event.get("password")
    if not isinstance(email, str) or not email or not isinstance(password, str) or not password:
        raise ValueError("the seed needs {'email': ..., 'password': ...}")
    return {"email": email, "admin_created": seeding.seed(email, password)}
