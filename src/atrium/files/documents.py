"""File metadata: one document per stored object (the bytes live in S3 under ``key``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from beanie import Document
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from atrium.core.clock import utcnow
from atrium.core.dailycounts import DAILY_INDEXES, DailyCount
from atrium.core.ids import uuid7

KEY_PREFIX = "files/"


class FileStatus(StrEnum):
    # Bytes on their way (a streamed upload running, or a direct upload not yet completed).
    PENDING = "pending"
    COMPLETE = "complete"


class FileObject(Document):
    id: UUID = Field(default_factory=uuid7)  # type: ignore[assignment]
    owner_id: UUID
    key: str
    name: str
    content_type: str
    # Announced size while a direct upload is pending; the stored size once complete.
    size: int | None = None
    # SHA-256 of the stored bytes, hex (announced by the client while a direct upload pends).
    sha256: str | None = None
    etag: str | None = None
    status: FileStatus = FileStatus.PENDING
    # Set while a direct multipart upload is pending.
    upload_id: str | None = None
    part_size: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None

    class Settings:
        name = "files"
        indexes = [
            IndexModel([("key", ASCENDING)], unique=True),
            IndexModel([("owner_id", ASCENDING), ("status", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("status", ASCENDING), ("created_at", ASCENDING)]),
        ]


def object_key(owner_id: UUID, file_id: UUID) -> str:
    """Where a file's bytes live: ``files/{owner_id}/{file_id}`` (never the client's name)."""
    return f"{KEY_PREFIX}{owner_id}/{file_id}"


class FileDay(DailyCount):
    """Stored files per UTC day of creation and content type: how many, and their bytes."""

    class Settings:
        name = "file_days"
        indexes = DAILY_INDEXES


DOCUMENTS = [FileObject, FileDay]
