"""The documents domain's wire models. Markdown travels and is stored exactly as written."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from fastapi import Path
from pydantic import AfterValidator, Field

from atrium.core.schemas import Schema
from atrium.documents.documents import (
    MAX_SHARES,
    MAX_TAGS,
    TAG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)

DocumentID = Annotated[UUID, Path(description="The document's id")]
FileID = Annotated[UUID, Path(description="The attached file's id")]
RevisionNumber = Annotated[int, Path(ge=1, le=2**31, description="The revision's number")]


def _tags(values: list[str]) -> list[str]:
    # Tags compare case-insensitively and once each: stored trimmed and lower-cased.
    return list(dict.fromkeys(tag.strip().casefold() for tag in values if tag.strip()))


Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX_LENGTH)]
Tag = Annotated[str, Field(min_length=1, max_length=TAG_MAX_LENGTH, pattern=r"^[^\x00-\x1f]+$")]
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS), AfterValidator(_tags)]
Ids = Annotated[list[UUID], Field(max_length=MAX_SHARES)]


class DocumentScope(StrEnum):
    OWN = "own"
    SHARED = "shared"
    ALL = "all"


class DocumentCreate(Schema):
    title: Title
    content: str = Field(default="", description="Markdown, stored as written")
    tags: Tags = []


class DocumentUpdate(Schema):
    """The fields sent change; ``version`` must be the document's current one (else 409)."""

    version: int = Field(ge=1, le=2**31, description="The version this edit was made on")
    title: Title | None = None
    content: str | None = None
    tags: Tags | None = None


class DocumentShares(Schema):
    """Who the document is shared with: the lists replace the current ones."""

    viewer_ids: Ids = []
    editor_ids: Ids = []
    viewer_role_ids: Ids = []
    editor_role_ids: Ids = []


class AttachmentAdd(Schema):
    file_id: UUID


class DocumentRead(Schema):
    id: UUID
    owner_id: UUID
    title: str
    content: str
    tags: list[str]
    viewer_ids: list[UUID]
    editor_ids: list[UUID]
    viewer_role_ids: list[UUID]
    editor_role_ids: list[UUID]
    attachment_ids: list[UUID]
    version: int
    created_at: datetime
    updated_at: datetime
    updated_by: UUID | None
    deleted_at: datetime | None


class DocumentSummary(Schema):
    """A document in a list: everything but its content."""

    id: UUID
    owner_id: UUID
    title: str
    tags: list[str]
    version: int
    updated_at: datetime
    deleted_at: datetime | None


class RevisionSummary(Schema):
    number: int
    title: str
    author_id: UUID
    created_at: datetime
    restored_from: int | None


class RevisionRead(RevisionSummary):
    content: str
    tags: list[str]


class DocumentWatch(Schema):
    document_id: UUID


class DocumentWatched(Schema):
    document_id: UUID
    version: int
