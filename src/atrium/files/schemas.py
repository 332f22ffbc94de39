"""Request and response models of the files API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Path
from pydantic import Field, StringConstraints

from atrium.core.limits import SettingMax
from atrium.core.schemas import Schema
from atrium.files.documents import FileStatus

FileID = Annotated[UUID, Path(description="The file's id")]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$", to_lower=True)]


class FileRead(Schema):
    id: UUID
    owner_id: UUID
    name: str
    content_type: str
    size: int | None = Field(description="Bytes stored (announced, while a direct upload pends)")
    sha256: str | None = Field(description="SHA-256 of the bytes, hex")
    status: FileStatus
    created_at: datetime
    completed_at: datetime | None


class DownloadLink(Schema):
    url: str = Field(description="Presigned GET URL; no other credentials needed")
    expires_at: datetime


class UploadCreate(Schema):
    """Announce a direct-to-storage upload."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True)]
    size: Annotated[int, SettingMax("storage.direct_upload_max_bytes")] = Field(
        ge=0, description="Exact size in bytes; checked on completion"
    )
    content_type: Annotated[str, StringConstraints(min_length=3, max_length=255)]
    sha256: Sha256Hex | None = Field(default=None, description="If given, checked on completion")
    multipart: bool | None = Field(
        default=None,
        description="One URL per part (true) or a single PUT (false); default: by size",
    )


class PartUpload(Schema):
    part_number: int
    url: str


class UploadTicket(Schema):
    """Where and how to send the bytes, then call ``complete``."""

    file: FileRead
    method: Literal["POST", "PUT"] = Field(
        description="POST: one form upload to ``url``; PUT: one request per part"
    )
    # A single upload: POST a multipart form to ``url`` with every entry of ``fields`` and,
    # last, the bytes as the field ``file``. The signed policy binds the exact size.
    url: str | None = None
    fields: dict[str, str] | None = Field(
        default=None, description="Form fields to send before the file (single upload)"
    )
    # Multipart: send bytes [(n-1)*partSize, n*partSize) to part n's URL (the last part is
    # shorter); every part but the last must be exactly ``partSize`` bytes.
    part_size: int | None = None
    parts: list[PartUpload] | None = None
    expires_at: datetime
    complete_url: str
