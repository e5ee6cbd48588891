"""Failed logins are limited per e-mail and per client IP (5 per 15 minutes by default) → 429 + Retry-After."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from chalice.local import LambdaEventConverter

from tests.conftest import make_account


@pytest.fixture
def from_ip(monkeypatch):
    """Send the next requests from `ip` (the local gateway stamps one source IP on every event)."""
    def use(ip: str) -> None:
        monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", ip)
    return use


def fail_login(api, email: str) -> int:
    return api.post("/auth/login", {"email": email, "password": "wrong-password"}).status


def test_five_failures_for_one_email_lock_it_from_every_ip(api, from_ip):
    account = make_account(["customer"])
    for n in range(5):
        from_ip(f"10.0.0.{n}")
        assert fail_login(api, account.email) == 401
    from_ip("10.0.0.99")
    locked = api.post("/auth/login", {"email": account.email, "password": account.password})
    assert locked.status == 429
    assert locked.json == {"success": False, "error": "Trop de tentatives, réessayez plus tard"}
    assert 1 <= int(locked.headers["retry-after"]) <= 900
    assert len(locked.calls) == 1  # refused before any password check or write
    other = make_account(["customer"])
    assert api.post("/auth/login", {"email": other.email, "password": other.password}).status == 200


def test_five_failures_from_one_ip_lock_that_ip_for_every_email(api, from_ip):
    from_ip("192.0.2.7")
    for n in range(5):
        assert fail_login(api, f"guess{n}@example.com") == 401
    account = make_account(["customer"])
    locked = api.post("/auth/login", {"email": account.email, "password": account.password},
                      headers={"Accept-Language": "en"})
    assert locked.status == 429
    assert locked.json["error"] == "Too many attempts, try again later"
    assert int(locked.headers["retry-after"]) >= 1
    from_ip("192.0.2.8")
    assert api.post("/auth/login", {"email": account.email, "password": account.password}).status == 200


def test_a_success_clears_the_emails_failures(api, from_ip):
    account = make_account(["customer"])
    for n in range(4):
        from_ip(f"10.1.0.{n}")
        assert fail_login(api, account.email) == 401
    from_ip("10.1.0.50")
    assert api.post("/auth/login", {"email": account.email, "password": account.password}).status == 200
    for n in range(4):
        from_ip(f"10.1.1.{n}")
        assert fail_login(api, account.email) == 401
    from_ip("10.1.2.1")
    assert api.post("/auth/login", {"email": account.email, "password": account.password}).status == 200


def test_parallel_failures_never_count_past_the_limit(api, from_ip):
    account = make_account(["customer"])
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: fail_login(api, account.email), range(8)))
    assert statuses.count(401) <= 5
    assert set(statuses) <= {401, 429}
    assert api.post("/auth/login", {"email": account.email, "password": account.password}).status == 429


def test_the_limit_items_expire_with_their_window(api):
    from chalicelib.core.settings import get_settings
    from chalicelib.identity.models import RateWindowItem
    from chalicelib.identity.services import login_limits

    fail_login(api, "ttl@example.com")
    key = login_limits.window_keys("ttl@example.com", "127.0.0.1")[0]
    item = RateWindowItem.get(*key)
    assert item.failures == 1
    window = get_settings().login_window_seconds
    assert item.expires_at is not None and 0 < item.expires_at - int(key[1].split("#")[1]) * window <= window + 60
