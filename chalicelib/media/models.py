"""File items of the single table."""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute

from chalicelib.core.table import Entity


class FileItem(Entity, discriminator="file"):
    """pk FILE#<id>, sk FILE. status: pending → ready | rejected. `galleries`: where it is attached
    ("product:<pid>" or "variant:<pid>:<vid>"), so a delete can take it out of every gallery."""

    id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    status = UnicodeAttribute(default="pending")
    object_key = UnicodeAttribute()
    galleries = UnicodeSetAttribute(null=True)
