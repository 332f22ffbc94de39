"""The documents domain's settings group (``ATRIUM_DOCUMENTS__*``)."""

from __future__ import annotations

from pydantic import Field

from atrium.config import SettingsGroup


class DocumentSettings(SettingsGroup, section="documents"):
    """How large a document may be, how much history it keeps, how long the trash holds it."""

    # Bytes of Markdown (UTF-8) one document may hold; more is a 413.
    max_content_bytes: int = Field(default=512 * 1024, ge=1024, le=16 * 1024 * 1024)
    # Revisions kept per document; older ones are dropped, oldest first.
    max_revisions: int = Field(default=50, ge=1, le=10_000)
    # Days a document stays in the trash before ``documents.purge_trash`` removes it.
    trash_retention_days: int = Field(default=30, ge=1, le=3650)
