"""What the media domain reads and writes over HTTP."""
from __future__ import annotations

from chalicelib.core.schemas import Output
from chalicelib.media.models import FileItem


class FileOut(Output):
    """A stored file; `url` is a short-lived download link, present once the file is ready."""

    id: str
    filename: str
    content_type: str
    size: int
    status: str
    url: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


def file_out(item: FileItem) -> FileOut:
    """Render a file (products and variants use this for their galleries)."""
    return FileOut(id=item.id, filename=item.filename, content_type=item.content_type, size=int(item.size),
                   status=item.status, url=None, created_at=item.created_at, updated_at=item.updated_at)
