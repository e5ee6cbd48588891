"""Password hashing with argon2id (argon2-cffi's defaults); the library loads only where passwords are handled."""
from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _hasher() -> Any:
    import os

    from argon2 import PasswordHasher

    # The test suite creates hundreds of accounts: it may ask for argon2's minimum cost. Never set in a stage.
    if os.environ.get("PASSWORD_HASH_COST") == "test":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so both failures take the same time."""
    return hash_password("not-a-real-password-0000")
