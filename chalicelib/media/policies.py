"""Who may see and manage a file: plain functions over the principal."""
from __future__ import annotations

from typing import Any

from chalicelib.media.models import FileItem


def can_manage_file(principal: Any, item: FileItem) -> bool:
    """Its uploader, or anyone holding files.delete (others do not even learn it exists: 404)."""
    return item.owner_id == principal.user_id or principal.can("files.delete")
