"""The deployed Seed function (chalicelib/identity/seed_function.py): what `aws lambda invoke` after a
deployment, and `make deploy-local`, run to write the built-in roles and the first admin."""
from __future__ import annotations

import pytest

from chalicelib.identity.seed_function import seed


def test_the_seed_writes_the_roles_and_the_admin_once(api) -> None:
    event = {"email": "first-admin@example.com", "password": "Seeded-Passw0rd!"}
    assert seed(event, None) == {"email": "first-admin@example.com", "admin_created": True}
    assert seed(event, None) == {"email": "first-admin@example.com", "admin_created": False}  # safe to repeat
    login = api.post("/auth/login", {"email": event["email"], "password": event["password"]})
    assert login.status == 200 and login.data["user"]["roles"] == ["admin"]
    roles = api.get("/roles", token=login.data["access_token"])
    assert {"admin", "manager", "staff", "customer"} <= {r["name"] for r in roles.data}


@pytest.mark.parametrize("event", [{}, {"email": "a@example.com"}, {"email": "", "password": "x"},
                                   {"email": "a@example.com", "password": 123}])
def test_the_seed_refuses_an_event_without_email_and_password(aws, event) -> None:
    with pytest.raises(ValueError):
        seed(event, None)
