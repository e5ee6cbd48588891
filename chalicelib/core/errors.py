"""Domain errors: a status, a message and optional field errors. Converted to the envelope in one place (core.http)."""
from __future__ import annotations

from typing import Mapping

from chalicelib.core import i18n
from chalicelib.core.i18n import T


class AppError(Exception):
    """Base of every error the API answers on purpose."""

    status = 400
    default = i18n.BAD_REQUEST

    def __init__(
        self,
        message: T | None = None,
        *,
        errors: Mapping[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
        **params: object,
    ) -> None:
        self.message = message or self.default
        self.params = params
        self.errors = dict(errors) if errors else None
        self.headers = dict(headers) if headers else {}
        super().__init__(self.message.en.format(**params) if params else self.message.en)

    def render(self) -> str:
        return self.message.render(**self.params)


class BadRequest(AppError):
    status = 400


class Unauthenticated(AppError):
    status = 401
    default = i18n.UNAUTHENTICATED


class Forbidden(AppError):
    status = 403
    default = i18n.FORBIDDEN


class NotFound(AppError):
    status = 404
    default = i18n.NOT_FOUND


class Conflict(AppError):
    status = 409
    default = i18n.CONFLICT


class PreconditionFailed(AppError):
    status = 412
    default = i18n.PRECONDITION_FAILED


class PayloadTooLarge(AppError):
    status = 413
    default = i18n.TOO_LARGE


class UnsupportedMediaType(AppError):
    status = 415
    default = i18n.UNSUPPORTED_MEDIA


class ValidationFailed(AppError):
    """422 with per-field messages; `field_error` builds the common one-field case."""

    status = 422
    default = i18n.VALIDATION_FAILED


def field_error(field: str, message: T, **params: object) -> ValidationFailed:
    """A 422 about one field, message in the request's language."""
    return ValidationFailed(errors={field: [message.render(**params)]})


class TooManyRequests(AppError):
    status = 429
    default = i18n.RATE_LIMITED

    def __init__(self, retry_after: int, message: T | None = None) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, int(retry_after)))})


class InternalError(AppError):
    """Something we did not expect; the details go to the log, never to the client."""

    status = 500
    default = i18n.INTERNAL_ERROR


class ServiceUnavailable(AppError):
    status = 503
    default = i18n.UNAVAILABLE

    def __init__(self, retry_after: int = 1, message: T | None = None) -> None:
        super().__init__(message, headers={"Retry-After": str(retry_after)})


class TxCancelled(Exception):
    """The transaction was refused; `failed` holds the labels whose condition did not hold."""

    def __init__(self, failed: list[str]) -> None:
        super().__init__(f"transaction cancelled by: {', '.join(failed) or 'conflict'}")
        self.failed = failed
