"""Files: streamed and direct uploads, scoped reads, presigned downloads, deletes.

Metadata lives in MongoDB (``FileObject``), bytes in S3 under ``files/{owner}/{id}``. A
document is written ``pending`` before any byte is stored, so a crash mid-upload leaves
something the cleanup task (``cleanup.py``) can find and remove.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal
from uuid import UUID

import structlog
from minio.error import S3Error
from urllib3.exceptions import HTTPError

from atrium.config import StorageSettings
from atrium.core.clock import utcnow
from atrium.core.pages import Page, PageParams, make_page
from atrium.core.storage import Storage, StreamTooLarge
from atrium.files import stats
from atrium.files.documents import FileObject, FileStatus, object_key
from atrium.files.errors import (
    FilesChecksumMismatch,
    FilesMultipartEmpty,
    FilesMultipartRequired,
    FilesNotFound,
    FilesNotReady,
    FilesSizeMismatch,
    FilesStorageUnavailable,
    FilesTooLarge,
    FilesTypeNotAllowed,
    FilesUploadClosed,
    FilesUploadIncomplete,
    FilesUploadMissing,
)
from atrium.files.multipart import FormFileReader
from atrium.files.quota import PendingQuota
from atrium.files.schemas import DownloadLink, PartUpload, UploadCreate

log = structlog.get_logger(__name__)
SINGLE_PUT_MAX_BYTES = 5 * 1024**3  # S3's limit for one PUT
MAX_PARTS = 10_000
MIB = 1024 * 1024
STORAGE_ERRORS = (S3Error, HTTPError, OSError)


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who asks: their id, and (asked only when needed) whether they manage all files."""

    user_id: UUID
    is_admin: Callable[[], Awaitable[bool]]
    # Whether another domain lets them read this file (``files.access``): reads only.
    may_read: Callable[[FileObject], Awaitable[bool]] | None = None


@dataclass(frozen=True, slots=True)
class Ticket:
    """Where a direct upload sends its bytes: one URL, or one URL per part."""

    file: FileObject
    url: str | None
    parts: list[PartUpload] | None
    expires_in: timedelta
    fields: dict[str, str] | None = None

    @property
    def method(self) -> Literal["POST", "PUT"]:
        return "PUT" if self.parts is not None else "POST"


def storage_unavailable(exc: BaseException) -> FilesStorageUnavailable:
    log.warning("storage_error", error=type(exc).__name__, detail=str(exc)[:200])
    return FilesStorageUnavailable()


def ensure_type_allowed(settings: StorageSettings, content_type: str) -> str:
    """The normalised type, or 415 ``FILES_TYPE_NOT_ALLOWED`` (``image/*`` entries match)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    allowed = {entry.lower() for entry in settings.allowed_content_types}
    if kind in allowed or f"{kind.split('/', 1)[0]}/*" in allowed:
        return kind
    raise FilesTypeNotAllowed(f"Files of type {kind!r} are not accepted.")


def too_large(limit: int) -> FilesTooLarge:
    return FilesTooLarge(f"The file is larger than the limit of {limit} bytes.")


def new_file(owner_id: UUID, name: str, content_type: str, **fields: Any) -> FileObject:
    doc = FileObject(owner_id=owner_id, key="", name=name, content_type=content_type, **fields)
    doc.key = object_key(owner_id, doc.id)
    return doc


# --- streamed upload ------------------------------------------------------------------------


async def upload(storage: Storage, owner_id: UUID, form: FormFileReader) -> FileObject:
    """Stream the form's file part into storage; 415 by type, 413 past the size limit."""
    part = await form.open()
    content_type = ensure_type_allowed(storage.settings, part.content_type)
    doc = new_file(owner_id, part.filename, content_type)
    await doc.insert()
    try:
        limit = storage.settings.max_upload_bytes
        stored = await storage.put_stream(doc.key, form.chunks(), content_type, max_bytes=limit)
    except BaseException as exc:
        await asyncio.shield(_discard(storage, doc))
        if isinstance(exc, StreamTooLarge):
            raise too_large(exc.limit) from None
        if isinstance(exc, STORAGE_ERRORS):
            raise storage_unavailable(exc) from exc
        raise
    return await _mark_complete(doc, stored.size, stored.sha256, stored.etag)


async def _discard(storage: Storage, doc: FileObject) -> None:
    """Drop a failed upload: its object (if any got stored) and its document."""
    try:
        if doc.upload_id:
            await storage.abort_multipart(doc.key, doc.upload_id)
        await storage.remove(doc.key)
        await doc.delete()
    except Exception:  # the cleanup task finds whatever is left
        log.warning("discard_failed", file_id=str(doc.id), exc_info=True)


async def _mark_complete(doc: FileObject, size: int, sha256: str, etag: str) -> FileObject:
    doc.size, doc.sha256, doc.etag = size, sha256, etag
    doc.status, doc.completed_at = FileStatus.COMPLETE, utcnow()
    doc.upload_id = doc.part_size = None
    await doc.save()
    await stats.stored(doc)
    return doc


# --- direct upload --------------------------------------------------------------------------


def part_size_for(settings: StorageSettings, size: int) -> int:
    """The configured part size, raised (to whole MiB) when the file needs > 10,000 parts."""
    needed = math.ceil(size / MAX_PARTS / MIB) * MIB
    return max(settings.upload_part_size, needed)


def _use_multipart(settings: StorageSettings, data: UploadCreate) -> bool:
    wanted = data.multipart if data.multipart is not None else data.size > settings.upload_part_size
    if not wanted and data.size > SINGLE_PUT_MAX_BYTES:
        raise FilesMultipartRequired()
    if wanted and data.size == 0:
        raise FilesMultipartEmpty()
    return wanted


async def initiate(
    storage: Storage, quota: PendingQuota, owner_id: UUID, data: UploadCreate
) -> Ticket:
    """Record a pending upload and presign where its bytes go (within the owner's quota)."""
    settings = storage.settings
    content_type = ensure_type_allowed(settings, data.content_type)
    if data.size > settings.direct_upload_max_bytes:
        raise too_large(settings.direct_upload_max_bytes)
    multipart = _use_multipart(settings, data)
    doc = new_file(owner_id, data.name, content_type, size=data.size, sha256=data.sha256)
    async with quota.hold(owner_id):  # the check and the insert, one owner at a time
        await quota.ensure_room(settings, owner_id, data.size)
        await doc.insert()
    ttl = timedelta(seconds=settings.upload_url_ttl_seconds)
    try:
        if not multipart:
            url, fields = await storage.presigned_post(
                doc.key, ttl, size=data.size, content_type=content_type
            )
            return Ticket(doc, url, None, ttl, fields)
        doc.part_size = part_size_for(settings, data.size)
        doc.upload_id = await storage.create_multipart(doc.key, content_type)
        await doc.save()
        count = math.ceil(data.size / doc.part_size)
        urls = await storage.presigned_parts(doc.key, doc.upload_id, count, ttl)
    except STORAGE_ERRORS as exc:
        raise storage_unavailable(exc) from exc
    parts = [PartUpload(part_number=n, url=url) for n, url in enumerate(urls, start=1)]
    return Ticket(doc, None, parts, ttl)


async def complete(storage: Storage, doc: FileObject) -> FileObject:
    """Check the uploaded object against the announcement and mark the file complete.

    409 ``FILES_UPLOAD_MISSING`` / ``FILES_UPLOAD_INCOMPLETE`` leave the upload open (send the
    missing bytes, then complete again); a size or checksum mismatch removes the object and
    the upload record (start again).
    """
    if doc.status is FileStatus.COMPLETE:
        return doc
    try:
        if doc.upload_id:
            await _assemble(storage, doc)
        found = await storage.head(doc.key)
        if found is None:
            raise FilesUploadMissing()
        if found.size != doc.size:
            await _refuse(storage, doc, FilesSizeMismatch, f"{found.size} bytes arrived")
        size, sha256 = await storage.sha256(doc.key)
    except STORAGE_ERRORS as exc:
        raise storage_unavailable(exc) from exc
    if doc.sha256 and sha256 != doc.sha256:
        await _refuse(storage, doc, FilesChecksumMismatch, "the SHA-256 differs")
    return await _mark_complete(doc, size, sha256, found.etag)


def _expected_parts(doc: FileObject) -> dict[int, int]:
    """Part number → size: all but the last are exactly ``part_size``."""
    size, part_size = doc.size or 0, doc.part_size or 1
    count = math.ceil(size / part_size)
    return {n: min(part_size, size - (n - 1) * part_size) for n in range(1, count + 1)}


async def _assemble(storage: Storage, doc: FileObject) -> None:
    assert doc.upload_id is not None
    try:
        parts = await storage.uploaded_parts(doc.key, doc.upload_id)
    except S3Error as exc:
        if exc.code == "NoSuchUpload":  # completed by a concurrent call, or aborted
            raise FilesUploadClosed() from None
        raise
    expected = _expected_parts(doc)
    sizes = {part.part_number: part.size for part in parts}
    if any((size or 0) > expected.get(number, 0) for number, size in sizes.items()):
        # More bytes than announced: storage could not refuse them; remove them at once.
        await _refuse(storage, doc, FilesSizeMismatch, "a part is larger than announced")
    if missing := [n for n, size in expected.items() if sizes.get(n) != size]:
        shown = ", ".join(map(str, missing[:20])) + (", ..." if len(missing) > 20 else "")
        raise FilesUploadIncomplete(f"Parts missing or of the wrong size: {shown}.")
    wanted = [part for part in parts if part.part_number in expected]
    doc.etag = await storage.complete_multipart(doc.key, doc.upload_id, wanted)
    doc.upload_id = None
    await doc.save()


async def _refuse(
    storage: Storage,
    doc: FileObject,
    mismatch: type[FilesSizeMismatch | FilesChecksumMismatch],
    what: str,
) -> None:
    await _discard(storage, doc)
    raise mismatch(f"The upload does not match what was announced: {what}; start again.")


# --- reads, downloads, deletes --------------------------------------------------------------


async def get_visible(viewer: Viewer, file_id: UUID, *, reading: bool = False) -> FileObject:
    """The file if the viewer owns it or manages all files (or, ``reading``, another domain
    lets them read it); 404 otherwise (never 403)."""
    doc = await FileObject.get(file_id)
    if doc is None:
        raise FilesNotFound()
    if doc.owner_id == viewer.user_id or await viewer.is_admin():
        return doc
    if reading and viewer.may_read is not None and await viewer.may_read(doc):
        return doc
    raise FilesNotFound()


async def list_files(
    params: PageParams, owner_id: UUID | None, status: FileStatus | None
) -> Page[FileObject]:
    """A page of files, newest first, optionally of one owner and one status."""
    filters: dict[str, Any] = {}
    if owner_id is not None:
        filters["owner_id"] = owner_id
    if status is not None:
        filters["status"] = status.value
    query = FileObject.find(filters)
    total = await query.count()
    items = await query.sort("-_id").skip(params.offset).limit(params.size).to_list()
    return make_page(items, total, params)


async def download_link(storage: Storage, doc: FileObject) -> DownloadLink:
    """A presigned GET URL, valid ``presign_ttl_seconds``, naming the file and its type."""
    if doc.status is not FileStatus.COMPLETE:
        raise FilesNotReady()
    ttl = timedelta(seconds=storage.settings.presign_ttl_seconds)
    expires_at = utcnow() + ttl
    try:
        url = await storage.presigned_get(doc.key, ttl, doc.name, doc.content_type)
    except STORAGE_ERRORS as exc:
        raise storage_unavailable(exc) from exc
    return DownloadLink(url=url, expires_at=expires_at)


async def delete(storage: Storage, doc: FileObject) -> None:
    """Remove the bytes (or the open upload), then the metadata."""
    try:
        if doc.upload_id:
            await storage.abort_multipart(doc.key, doc.upload_id)
        await storage.remove(doc.key)
    except STORAGE_ERRORS as exc:
        raise storage_unavailable(exc) from exc
    await doc.delete()
    if doc.status is FileStatus.COMPLETE:
        await stats.removed(doc)
