"""One typed settings object, read from the environment on first use."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


def _list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    """Every knob of the service; see README 'Configuration'."""

    stage: str
    table_name: str
    bucket_name: str
    region: str
    jwt_issuer: str
    jwt_audience: str
    access_token_ttl: int
    refresh_token_ttl: int
    cors_origins: tuple[str, ...]
    login_max_failures: int
    login_window_seconds: int
    log_level: str

    @property
    def jwt_keys(self) -> tuple[tuple[str, str], ...]:
        """(kid, secret) pairs, the first one signs. Read on first use: in AWS it is a Parameter Store call,
        which public routes (health, OpenAPI, preflight) never pay."""
        return _jwt_keys()

    @property
    def cursor_secret(self) -> str:
        return os.environ.get("CURSOR_SECRET") or self.jwt_keys[0][1]


@lru_cache(maxsize=1)
def _jwt_keys() -> tuple[tuple[str, str], ...]:
    # JWT_KEYS="kid1:secret1,kid2:secret2"; in AWS the value comes from SSM (see infra/).
    raw = os.environ.get("JWT_KEYS", "")
    param = os.environ.get("JWT_KEYS_PARAMETER")
    if not raw and param:
        raw = _read_ssm_parameter(param)
    if not raw:
        raw = "local:insecure-local-signing-key-change-me-0123456789"
    pairs = []
    for entry in _list(raw):
        kid, _, secret = entry.partition(":")
        if not secret or len(secret) < 32:
            raise RuntimeError("JWT_KEYS entries must be 'kid:secret' with secrets of 32+ characters")
        pairs.append((kid, secret))
    return tuple(pairs)


def _read_ssm_parameter(name: str) -> str:
    import boto3  # only in AWS, where the key lives in Parameter Store

    response = boto3.client("ssm").get_parameter(Name=name, WithDecryption=True)
    return response["Parameter"]["Value"]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the environment once per process."""
    env = os.environ.get
    return Settings(
        stage=env("STAGE", "local"),
        table_name=env("TABLE_NAME", "catalog"),
        bucket_name=env("BUCKET_NAME", "catalog-media"),
        region=env("AWS_DEFAULT_REGION", env("AWS_REGION", "eu-west-1")),
        jwt_issuer=env("JWT_ISSUER", "catalog-api"),
        jwt_audience=env("JWT_AUDIENCE", "catalog-clients"),
        access_token_ttl=int(env("ACCESS_TOKEN_TTL", "900")),
        refresh_token_ttl=int(env("REFRESH_TOKEN_TTL", str(30 * 24 * 3600))),
        cors_origins=_list(env("CORS_ORIGINS", "http://localhost:3000,http://127.0.0.1:3000")),
        login_max_failures=int(env("LOGIN_MAX_FAILURES", "5")),
        login_window_seconds=int(env("LOGIN_WINDOW_SECONDS", "900")),
        log_level=env("LOG_LEVEL", "INFO"),
    )
