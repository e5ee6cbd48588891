"""If-Match: a write goes ahead only when the client saw the resource as it is now (else 412)."""
from __future__ import annotations

from pydantic import BaseModel

from chalicelib.core.errors import PreconditionFailed


def require_match(if_match: str | None, current: BaseModel) -> None:
    """412 unless `If-Match` is absent, `*`, or names the ETag of the resource's current output."""
    if not if_match:
        return
    from chalicelib.core.http import etag_of

    wanted = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" in wanted:
        return
    if etag_of(current.model_dump(mode="json")) not in wanted:
        raise PreconditionFailed()
