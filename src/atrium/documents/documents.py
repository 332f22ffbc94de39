"""The documents' MongoDB collections: one record per document, one per revision kept.

A record keeps its owner and whom it is shared with (users and roles, as viewers or editors:
``DOCUMENT_SCOPE``), its ``version`` (raised by every save: the optimistic-concurrency token),
the normalised ``words`` search reads, the file ids attached, and ``deleted_at`` while it is in
the trash.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from beanie import Document
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from atrium.core.clock import utcnow
from atrium.core.datascope import Ownership
from atrium.core.ids import uuid7

TITLE_MAX_LENGTH = 200
TAG_MAX_LENGTH = 40
MAX_TAGS = 20
MAX_SHARES = 100
MAX_ATTACHMENTS = 50


class DocumentRecord(Document):
    id: UUID = Field(default_factory=uuid7)  # type: ignore[assignment]
    owner_id: UUID
    title: str
    content: str = ""
    tags: list[str] = []
    words: list[str] = []
    viewer_ids: list[UUID] = []
    editor_ids: list[UUID] = []
    viewer_role_ids: list[UUID] = []
    editor_role_ids: list[UUID] = []
    attachment_ids: list[UUID] = []
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: UUID | None = None
    deleted_at: datetime | None = None

    class Settings:
        name = "documents"
        indexes = [
            IndexModel([("owner_id", ASCENDING), ("updated_at", DESCENDING)]),
            IndexModel([("viewer_ids", ASCENDING)]),
            IndexModel([("editor_ids", ASCENDING)]),
            IndexModel([("viewer_role_ids", ASCENDING)]),
            IndexModel([("editor_role_ids", ASCENDING)]),
            IndexModel([("tags", ASCENDING)]),
            IndexModel([("words", ASCENDING)]),
            IndexModel([("attachment_ids", ASCENDING)]),
            IndexModel([("deleted_at", ASCENDING)]),
        ]


class DocumentRevision(Document):
    """What a document was after one save (``number`` is the version that save made)."""

    id: UUID = Field(default_factory=uuid7)  # type: ignore[assignment]
    document_id: UUID
    number: int
    title: str
    content: str
    tags: list[str] = []
    author_id: UUID
    created_at: datetime = Field(default_factory=utcnow)
    # The revision this one restored, if it was a restore.
    restored_from: int | None = None

    class Settings:
        name = "document_revisions"
        indexes = [IndexModel([("document_id", ASCENDING), ("number", DESCENDING)], unique=True)]


# Who reaches a document: its owner, users and roles it is shared with (viewers and editors).
DOCUMENT_SCOPE = Ownership(
    owner="owner_id",
    user_shares=("viewer_ids", "editor_ids"),
    role_shares=("viewer_role_ids", "editor_role_ids"),
)
# Who may change it: the owner and the editors (``DOCUMENT_SCOPE`` minus the viewers).
EDIT_SCOPE = Ownership(
    owner="owner_id", user_shares=("editor_ids",), role_shares=("editor_role_ids",)
)

DOCUMENTS = [DocumentRecord, DocumentRevision]
