"""The single table: one PynamoDB base item every domain subclasses (the call meter is core/meter.py)."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import Any

from botocore.exceptions import ConnectionError as BotocoreConnectionError
from botocore.exceptions import HTTPClientError
from pynamodb.attributes import DiscriminatorAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

# Seconds added to the wall clock: tests move time forward (reservation expiry) without sleeping.
_CLOCK_SKEW = [0.0]


def utcnow() -> datetime:
    """The current time in UTC (the wall clock plus the skew `set_clock_skew` gave)."""
    return datetime.now(timezone.utc) + timedelta(seconds=_CLOCK_SKEW[0])


def set_clock_skew(seconds: float) -> None:
    """Move the clock every timestamp of the API reads (tests only: 0 puts it back)."""
    _CLOCK_SKEW[0] = float(seconds)


def iso(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds and a Z, the API's timestamp format."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso(later_seconds: float = 0) -> str:
    """The current time (or `later_seconds` from now) in the API's timestamp format."""
    return iso(utcnow() + timedelta(seconds=later_seconds))


def error_code(exc: PynamoDBException) -> str | None:
    """DynamoDB's error code behind a PynamoDB error, None when no answer came back (a timeout, a dropped
    connection). PynamoDB's own `cause_response_code` raises AttributeError then: requests' exceptions, which
    botocore's timeouts subclass, carry `response = None`."""
    response = getattr(exc.cause, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None


def is_transport_error(exc: PynamoDBException) -> bool:
    """No answer from DynamoDB (read or connect timeout, connection refused or closed): the request may or may
    not have been applied."""
    return isinstance(exc.cause, (HTTPClientError, BotocoreConnectionError))


def _index(number: int) -> type[GlobalSecondaryIndex]:
    """gsi<N>: keys gsi<N>pk / gsi<N>sk, every attribute projected."""
    meta = type("Meta", (), {"index_name": f"gsi{number}", "projection": AllProjection()})
    return type(f"Gsi{number}", (GlobalSecondaryIndex,), {
        "Meta": meta,
        f"gsi{number}pk": UnicodeAttribute(hash_key=True),
        f"gsi{number}sk": UnicodeAttribute(range_key=True),
    })


Gsi1, Gsi2, Gsi3, Gsi4, Gsi5 = (_index(n) for n in range(1, 6))


class Entity(Model):
    """Base item: generic keys, five generic indexes (sparse: an item sets only the ones it is listed by), a `type` discriminator, a version for optimistic locking."""

    class Meta:
        table_name = os.environ.get("TABLE_NAME", "catalog")
        region = os.environ.get("AWS_DEFAULT_REGION", os.environ.get("AWS_REGION", "eu-west-1"))
        # Endpoints come from AWS_ENDPOINT_URL_DYNAMODB (botocore reads it); no host here.
        connect_timeout_seconds = 2
        read_timeout_seconds = 5
        max_retry_attempts = 2

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    type = DiscriminatorAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    gsi4pk = UnicodeAttribute(null=True)
    gsi4sk = UnicodeAttribute(null=True)
    gsi5pk = UnicodeAttribute(null=True)
    gsi5sk = UnicodeAttribute(null=True)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # the table's TTL attribute (epoch seconds)
    # Set when a delete that takes several transactions begins (a store): the item leaves its lists, answers
    # 404 and accepts nothing new under it (`open_condition`); calling the delete again finishes the job.
    deleting_at = UnicodeAttribute(null=True)

    gsi1 = Gsi1()
    gsi2 = Gsi2()
    gsi3 = Gsi3()
    gsi4 = Gsi4()
    gsi5 = Gsi5()

    @classmethod
    def _get_connection(cls) -> Any:
        """One connection (one botocore client) for every item type: the call meter hooks that client, and a
        subclass used before Entity would otherwise get a client of its own, unmetered (Scans not refused)."""
        if cls is not Entity:
            return Entity._get_connection()
        return super()._get_connection()

    def key(self) -> dict[str, dict[str, str]]:
        """The item's primary key in DynamoDB JSON (for cursors and batch reads)."""
        return {"pk": {"S": self.pk}, "sk": {"S": self.sk}}

    def index_key(self, index: str) -> dict[str, dict[str, str]]:
        """The item's key in one index, as DynamoDB's LastEvaluatedKey would give it."""
        key = self.key()
        if index:
            key[f"{index}pk"] = {"S": getattr(self, f"{index}pk")}
            key[f"{index}sk"] = {"S": getattr(self, f"{index}sk")}
        return key

    @classmethod
    def _get_discriminator_class(cls, attribute_values: Any) -> Any:
        # Services load lazily, so a fresh process (one Lambda function per route) may read an item whose class
        # no imported module has defined yet (products render categories): import every domain's models, retry.
        try:
            return super()._get_discriminator_class(attribute_values)
        except ValueError:
            load_models()
            return super()._get_discriminator_class(attribute_values)


def open_condition() -> Any:
    """What a write that attaches something to an item (a link to a store, a member) requires of it, in a
    `tx.check` on its key: it exists and its delete has not begun."""
    return Entity.pk.exists() & Entity.deleting_at.does_not_exist()


def load_models() -> None:
    """Import every `models` module under chalicelib (chalicelib.<domain>.models, chalicelib.catalog.<area>.models),
    so every discriminator value is known."""
    import importlib
    import pkgutil

    import chalicelib

    for module in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
        if module.name.endswith(".models") and not module.name.startswith("chalicelib.core."):
            importlib.import_module(module.name)


Entity.type._class_map[Entity] = "entity"  # type: ignore[attr-defined]

