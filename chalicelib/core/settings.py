"""One typed settings object, read from the environment on first use."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

# The public development key: signs tokens only where nothing real is at stake (stages local and test).
DEV_SIGNING_KEY = "local:insecure-local-signing-key-change-me-0123456789"
DEV_KEY_STAGES = ("local", "test")


class ConfigurationError(RuntimeError):
    """The environment cannot be served safely: raised at configuration load, so nothing is served."""


def _list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _currency(value: str) -> str:
    """BASE_CURRENCY: an ISO 4217 code (three upper-case letters, as stores' `currency`); anything else stops
    the configuration from loading (prices would be shown in an unknown unit)."""
    code = value.strip()
    if not _CURRENCY.match(code):
        raise ConfigurationError(f"BASE_CURRENCY={value!r}: expected an ISO 4217 code such as EUR")
    return code


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


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
    ddb_calls_header: bool = False
    base_currency: str = "EUR"  # ISO 4217: the currency of variants' price and compare_at_price

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
    raw = os.environ.get("JWT_KEYS", "").strip()
    param = os.environ.get("JWT_KEYS_PARAMETER")
    if not raw and param:
        raw = _read_ssm_parameter(param).strip()
    stage = current_stage()
    if not raw:
        if stage not in DEV_KEY_STAGES:  # e.g. an empty parameter: never fall back to the public key
            raise ConfigurationError(f"STAGE={stage}: the JWT signing keys ({param or 'JWT_KEYS'}) are empty")
        raw = DEV_SIGNING_KEY
    pairs = []
    for entry in _list(raw):
        kid, _, secret = entry.partition(":")
        if not secret or len(secret) < 32:
            raise RuntimeError("JWT_KEYS entries must be 'kid:secret' with secrets of 32+ characters")
        if secret == DEV_SIGNING_KEY.partition(":")[2] and stage not in DEV_KEY_STAGES:
            raise ConfigurationError(f"STAGE={stage}: JWT_KEYS holds the public development key; set a secret one")
        pairs.append((kid, secret))
    return tuple(pairs)


def current_stage() -> str:
    """STAGE, or where it is unset: `prod` inside a Lambda function (so a function deployed without STAGE never
    takes the public development key), `local` elsewhere."""
    return os.environ.get("STAGE") or ("prod" if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") else "local")


def _require_signing_key_source(stage: str) -> None:
    """Outside local/test, JWT_KEYS or JWT_KEYS_PARAMETER must be set: the public development key would let
    anyone mint tokens. Checked when the settings load (at import of the app: a Lambda cold start fails, and
    `chalice local` does not start), not on the first token."""
    if stage in DEV_KEY_STAGES:
        return
    if DEV_SIGNING_KEY.partition(":")[2] in os.environ.get("JWT_KEYS", ""):
        raise ConfigurationError(f"STAGE={stage}: JWT_KEYS holds the public development key; set a secret one")
    if os.environ.get("JWT_KEYS") or os.environ.get("JWT_KEYS_PARAMETER"):
        return
    raise ConfigurationError(
        f"STAGE={stage}: no JWT signing key (set JWT_KEYS or JWT_KEYS_PARAMETER); the development key is only "
        f"used in stages {' and '.join(DEV_KEY_STAGES)}")


def _read_ssm_parameter(name: str) -> str:
    import boto3  # only in AWS, where the key lives in Parameter Store

    response = boto3.client("ssm").get_parameter(Name=name, WithDecryption=True)
    return response["Parameter"]["Value"]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the environment once per process; ConfigurationError when it cannot be served safely."""
    env = os.environ.get
    stage = current_stage()
    _require_signing_key_source(stage)
    return Settings(
        stage=stage,
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
        ddb_calls_header=_flag(env("DDB_CALLS_HEADER")),
        base_currency=_currency(env("BASE_CURRENCY", "EUR")),
    )
