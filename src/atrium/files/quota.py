"""The pending-upload quota: how many direct uploads one user may have announced and not yet
completed, and how many bytes they may announce together (``storage.max_pending_*``).

The count and the insert of the new upload must not interleave with another upload of the same
user, or concurrent announcements all pass a check that each alone would fail. ``hold`` takes a
per-owner lock in Redis (every API node shares it) around them; it is held for two MongoDB
round-trips, and a lock left by a crashed node expires by itself.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any
from uuid import UUID

from atrium.config import RedisSettings, StorageSettings
from atrium.core.redis import RedisClient, key
from atrium.files.documents import FileObject, FileStatus
from atrium.files.errors import FilesPendingQuota

LOCK_SECONDS = 30  # a lock whose holder died is released after this
WAIT_SECONDS = 15  # how long an upload waits for the user's other one


class PendingQuota:
    """The quota check, and the per-owner lock that makes it hold under concurrent uploads."""

    def __init__(self, redis: RedisClient, settings: RedisSettings) -> None:
        self.redis = redis
        self.settings = settings

    def hold(self, owner_id: UUID) -> AbstractAsyncContextManager[Any]:
        """One owner's uploads are announced one at a time while this is held."""
        name = key(self.settings, "files", "quota", str(owner_id))
        return self.redis.lock(name, timeout=LOCK_SECONDS, blocking_timeout=WAIT_SECONDS)

    async def ensure_room(self, settings: StorageSettings, owner_id: UUID, size: int) -> None:
        """409 ``FILES_PENDING_QUOTA`` when one more pending upload of ``size`` bytes is too
        many (hold the owner's lock around this and the insert)."""
        pending = FileObject.find({"owner_id": owner_id, "status": FileStatus.PENDING.value})
        if await pending.count() >= settings.max_pending_uploads:
            raise FilesPendingQuota(
                f"You have {settings.max_pending_uploads} uploads pending: complete or delete "
                "some first."
            )
        totals = pending.aggregate([{"$group": {"_id": None, "bytes": {"$sum": "$size"}}}])
        announced = sum(int(row.get("bytes") or 0) for row in await totals.to_list())
        if announced + size > settings.max_pending_upload_bytes:
            raise FilesPendingQuota(
                f"Pending uploads may announce at most {settings.max_pending_upload_bytes} bytes "
                f"together ({announced} pending): complete or delete some first."
            )
