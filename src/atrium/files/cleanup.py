"""Remove what uploads left behind: abandoned pending uploads and objects without metadata.

Run periodically (the ``files.cleanup`` task). Three sweeps, each safe to repeat and to run
on several workers at once (every removal tolerates "already gone"):

1. pending documents older than ``abandoned_upload_seconds``: their open multipart upload is
   aborted, their object (if any arrived) removed, the document deleted;
2. multipart uploads under ``files/`` started before that age whose key has no pending
   document (a streamed upload whose process died mid-way, once sweep 1 removed its document);
3. objects under ``files/`` with no document, last modified before ``orphan_grace_seconds``
   (a delete or a failed upload that could not remove its bytes).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import structlog

from atrium.core.clock import utcnow
from atrium.core.storage import Storage, StoredObject
from atrium.files.documents import KEY_PREFIX, FileObject, FileStatus

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class CleanupReport:
    abandoned_uploads: int = 0
    aborted_multiparts: int = 0
    orphaned_objects: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


async def cleanup(storage: Storage, now: datetime | None = None) -> CleanupReport:
    """Run the three sweeps; returns how much each removed."""
    now = now or utcnow()
    settings = storage.settings
    abandoned_before = now - timedelta(seconds=settings.abandoned_upload_seconds)
    report = CleanupReport(
        abandoned_uploads=await remove_abandoned(storage, abandoned_before),
        aborted_multiparts=await abort_stale_multiparts(storage, abandoned_before),
        orphaned_objects=await remove_orphans(
            storage, now - timedelta(seconds=settings.orphan_grace_seconds)
        ),
    )
    log.info("files_cleanup", **report.as_dict())
    return report


async def remove_abandoned(storage: Storage, before: datetime) -> int:
    """Delete pending uploads created before ``before``, with whatever bytes they left."""
    removed = 0
    while batch := await _abandoned(before):
        for doc in batch:
            if doc.upload_id:
                await storage.abort_multipart(doc.key, doc.upload_id)
            await storage.remove(doc.key)
            await doc.delete()
        removed += len(batch)
    return removed


async def _abandoned(before: datetime, batch: int = 500) -> list[FileObject]:
    pending = FileObject.status == FileStatus.PENDING
    return await FileObject.find(pending, FileObject.created_at < before).limit(batch).to_list()


async def abort_stale_multiparts(storage: Storage, before: datetime) -> int:
    """Abort multipart uploads under ``files/`` begun before ``before`` with no pending file.

    A pending document for the key means an upload still running (a streamed one, or a
    direct one inside its window), whatever the start time the server reports.
    """
    aborted = 0
    for upload in await storage.list_multipart(KEY_PREFIX):
        if upload.initiated is not None and upload.initiated >= before:
            continue
        pending = FileObject.status == FileStatus.PENDING
        if await FileObject.find_one(FileObject.key == upload.key, pending) is not None:
            continue
        await storage.abort_multipart(upload.key, upload.upload_id)
        aborted += 1
    return aborted


async def remove_orphans(storage: Storage, before: datetime) -> int:
    """Remove objects under ``files/`` older than ``before`` that no document points at."""
    removed = 0
    async for batch in storage.scan_objects(KEY_PREFIX):
        old = [obj for obj in batch if _older(obj, before)]
        if not old:
            continue
        keys = [obj.key for obj in old]
        known = {doc.key for doc in await FileObject.find({"key": {"$in": keys}}).to_list()}
        for key in keys:
            if key not in known:
                await storage.remove(key)
                removed += 1
    return removed


def _older(obj: StoredObject, before: datetime) -> bool:
    return obj.last_modified is not None and obj.last_modified < before
