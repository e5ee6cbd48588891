"""Access tokens (JWT, HS256 pinned, `kid` for rotation) and opaque refresh tokens."""
from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import jwt

from chalicelib.core.settings import get_settings

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["sub", "roles", "sid", "jti", "iat", "nbf", "exp", "iss", "aud", "ver"]


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    roles: tuple[str, ...]
    session_id: str
    issued_at: int
    token_version: int


def issue_access_token(user_id: str, roles: list[str], session_id: str, token_version: int) -> str:
    """Sign a short-lived access token with the current key."""
    settings = get_settings()
    kid, secret = settings.jwt_keys[0]
    now = int(time.time())
    claims = {
        "sub": user_id, "roles": sorted(roles), "sid": session_id, "jti": secrets.token_urlsafe(12),
        "iat": now, "nbf": now, "exp": now + settings.access_token_ttl,
        "iss": settings.jwt_issuer, "aud": settings.jwt_audience, "ver": token_version,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM, headers={"kid": kid})


def verify_access_token(token: str) -> AccessClaims | None:
    """Claims of a valid token, or None (bad signature, unknown kid, other algorithm, expired, wrong audience…)."""
    settings = get_settings()
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            return None
        secret = dict(settings.jwt_keys).get(header.get("kid", ""))
        if secret is None:
            return None
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=settings.jwt_audience,
                            issuer=settings.jwt_issuer, options={"require": REQUIRED_CLAIMS}, leeway=5)
        roles = claims["roles"]
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            return None
        return AccessClaims(str(claims["sub"]), tuple(roles), str(claims["sid"]), int(claims["iat"]), int(claims["ver"]))
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        return None


def new_refresh_token(user_id: str, session_id: str) -> tuple[str, str]:
    """A fresh refresh token `<user>.<session>.<secret>` and the hash to store (never the token itself).

    The user and session ids let a refresh find its session by key (one BatchGetItem with the user)."""
    secret = secrets.token_urlsafe(32)
    return f"{user_id}.{session_id}.{secret}", hash_refresh_secret(secret)


def split_refresh_token(token: str) -> tuple[str, str, str] | None:
    """(user id, session id, secret) of a well-formed refresh token, else None."""
    parts = token.split(".")
    if len(token) > 300 or len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


def hash_refresh_secret(secret: str) -> str:
    # The secret carries 256 random bits, so a fast hash is enough (no password stretching needed).
    return hashlib.sha256(secret.encode()).hexdigest()
