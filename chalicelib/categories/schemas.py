"""What the categories domain reads and writes over HTTP."""
from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from chalicelib.core.pagination import PageQuery
from chalicelib.core.schemas import MULTILINE, Id, Input, Name, Output, patch_field

if TYPE_CHECKING:
    from chalicelib.categories.models import CategoryItem

Description = str | None
MAX_POSITION = 999_999


class CategoryCreate(Input):
    """POST (and PUT, which replaces every field)."""

    name: Name
    description: Annotated[str | None, MULTILINE] = Field(None, max_length=5000)
    parent_id: Id | None = None
    position: int = Field(0, ge=0, le=MAX_POSITION)
    is_active: bool = True


class CategoryPatch(Input):
    """PATCH: only the given fields change (`parent_id: null` moves the category to the top level)."""

    name: Name = patch_field()
    description: Annotated[str | None, MULTILINE] = Field(None, max_length=5000)
    parent_id: Id | None = None
    position: int = patch_field(ge=0, le=MAX_POSITION)
    is_active: bool = patch_field()


class CategoryListQuery(PageQuery):
    """`parent_id`: a category id, or `root` for the top level."""

    parent_id: Id | None = None


class CategoryOut(Output):
    id: str
    name: str
    slug: str
    description: str | None = None
    parent_id: str | None = None
    depth: int
    position: int
    is_active: bool
    created_at: str | None = None
    updated_at: str | None = None

    @classmethod
    def from_item(cls, item: CategoryItem) -> CategoryOut:
        return cls(id=item.id, name=item.name, slug=item.slug, description=item.description,
                   parent_id=item.parent_id, depth=int(item.depth), position=int(item.position),
                   is_active=bool(item.is_active), created_at=item.created_at, updated_at=item.updated_at)
