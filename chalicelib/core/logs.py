"""JSON log lines an operator can search: one per request, plus structured errors."""
from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

_SECRET_KEYS = {"password", "password_confirmation", "current_password", "access_token", "refresh_token",
                "authorization", "token", "password_hash", "refresh_hash", "fields", "policy"}

logger = logging.getLogger("catalog")


class JsonFormatter(logging.Formatter):
    """Render a record and its `extra` fields as one JSON object."""

    _skip = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self._skip and not key.startswith("_"):
                line[key] = "[redacted]" if key in _SECRET_KEYS else value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stdout is at the time (Lambda's, or a test's capture)."""

    @property  # type: ignore[override]
    def stream(self):  # noqa: ANN201
        return sys.stdout

    @stream.setter
    def stream(self, value: object) -> None:
        pass


def configure(level: str = "INFO") -> None:
    """Send the service's logs to stdout as JSON (CloudWatch picks stdout up)."""
    if getattr(logger, "_configured", False):
        return
    handler = _StdoutHandler()
    handler.setFormatter(JsonFormatter())
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
    logger._configured = True  # type: ignore[attr-defined]
