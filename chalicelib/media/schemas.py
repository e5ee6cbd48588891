"""What the media domain reads and writes over HTTP."""
from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, Field, RootModel, field_validator

from chalicelib.core.i18n import T
from chalicelib.core.schemas import Id, Input, Output, invalid

if TYPE_CHECKING:  # models load PynamoDB: not at import time (cold start)
    from chalicelib.media.models import FileItem

MAX_FILE_SIZE = 10 * 1024 * 1024  # 10 MiB
MAX_GALLERY = 50
CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")

FILENAME_PATH = T("Le nom de fichier ne doit contenir ni chemin ni caractère de contrôle.",
                  "The filename must not contain a path or control characters.")
CONTENT_TYPE_INVALID = T("Le type de contenu doit être image/jpeg, image/png ou image/webp.",
                         "The content type must be image/jpeg, image/png or image/webp.")
SIZE_RANGE = T("La taille doit être comprise entre 1 octet et 10 Mio (10485760 octets).",
               "The size must be between 1 byte and 10 MiB (10485760 bytes).")
FILE_IDS_DUPLICATE = T("Le champ file_ids contient des doublons.", "The file_ids field contains duplicates.")


def _filename(value: str) -> str:
    if "/" in value or "\\" in value or value in (".", "..") or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise invalid(FILENAME_PATH)
    return value


class FileCreate(Input):
    """`POST /files`: what the client announces before uploading."""

    filename: Annotated[str, Field(min_length=1, max_length=255), AfterValidator(_filename)]
    content_type: str
    size: int  # checked below: a strict integer (not a float, not a string), 1..10 MiB

    @field_validator("content_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        value = value.lower()
        if value not in CONTENT_TYPES:
            raise invalid(CONTENT_TYPE_INVALID)
        return value

    @field_validator("size", mode="before")
    @classmethod
    def _size(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_FILE_SIZE:
            raise invalid(SIZE_RANGE)
        return value


class GalleryAttach(Input):
    """`POST /products/{id}/gallery`: ready files appended in the given order."""

    file_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_GALLERY)]

    @field_validator("file_ids")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise invalid(FILE_IDS_DUPLICATE)
        return value


class UploadOut(Output):
    """A presigned POST: send `fields` then the file (last) as multipart/form-data to `url`."""

    url: str
    fields: dict[str, str]
    expires_at: str


class FileUploadOut(Output):
    id: str
    status: Literal["pending"]
    upload: UploadOut


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


class GalleryOut(RootModel[list[FileOut]]):
    """A product's or a variant's gallery, in order."""


def gallery_out(items: list[FileItem]) -> GalleryOut:
    return GalleryOut([file_out(item) for item in items])


def file_out(item: FileItem) -> FileOut:
    """Render a file (products and variants use this for their galleries); ready files get a download link."""
    url = None
    if item.status == "ready":
        from chalicelib.media.storage import (
            download_url,  # boto3 loads only when a ready file is rendered
        )

        url = download_url(item.object_key, item.filename, item.content_type)
    return FileOut(id=item.id, filename=item.filename, content_type=item.content_type, size=int(item.size),
                   status=item.status, url=url, created_at=item.created_at, updated_at=item.updated_at)
