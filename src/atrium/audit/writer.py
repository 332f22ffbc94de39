"""The audit writer: entries are buffered in the process and written to MongoDB in batches.

``record`` never waits and never raises, so recording cannot slow or fail what it records. A
background task (started in the lifespan) inserts the buffer in batches. While the store cannot
be reached the buffer keeps its entries and the writer retries with back-off; once the buffer is
full, further entries are dropped and counted (``atrium_audit_entries_dropped_total``), and the
next successful write logs ``N audit entries dropped`` (the log line ``audit_entries_dropped``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import structlog
from beanie.odm.utils.encoder import Encoder
from bson import ObjectId
from pymongo.errors import BulkWriteError

from atrium.audit.documents import AuditEntry, AuditRecord
from atrium.audit.metrics import AUDIT_DROPPED, AUDIT_WRITTEN
from atrium.audit.settings import AuditSettings

log = structlog.get_logger(__name__)
DUPLICATE_KEY = 11000

Store = Callable[[Sequence[dict[str, Any]]], Awaitable[None]]


async def mongo_store(documents: Sequence[dict[str, Any]]) -> None:
    """Insert documents into the audit collection (Beanie's, as initialised)."""
    await AuditEntry.get_pymongo_collection().insert_many(list(documents), ordered=False)


def as_document(entry: AuditRecord) -> dict[str, Any]:
    """The entry as stored, with its id made now (so a retried batch never stores it twice)."""
    document: dict[str, Any] = Encoder().encode(entry)
    document["_id"] = ObjectId()
    return document


async def _insert(store: Store, batch: Sequence[dict[str, Any]]) -> None:
    try:
        await store(batch)
    except BulkWriteError as exc:
        # A retry of a batch that was partly written: the entries already there are duplicates.
        errors = exc.details.get("writeErrors", [])
        if not errors or any(error.get("code") != DUPLICATE_KEY for error in errors):
            raise


class AuditWriter:
    """A bounded buffer of entries and the task that writes them."""

    def __init__(self, settings: AuditSettings, store: Store = mongo_store) -> None:
        self.settings = settings
        self.store = store
        self.dropped = 0  # since the last report
        self.dropped_total = 0
        self._buffer: deque[dict[str, Any]] = deque()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def record(self, entry: AuditRecord) -> None:
        """Queue one entry (dropped and counted when the buffer is full); never blocks."""
        if len(self._buffer) >= self.settings.buffer_size:
            self.dropped += 1
            self.dropped_total += 1
            AUDIT_DROPPED.inc()
            return
        self._buffer.append(as_document(entry))
        self._idle.clear()
        self._wake.set()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="audit-writer")

    async def stop(self, grace: float = 5.0) -> None:
        """Write what is buffered (for up to ``grace`` seconds), then stop the task."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        done, _ = await asyncio.wait({task}, timeout=grace)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._buffer:
            log.warning("audit_entries_unwritten", count=len(self._buffer))

    async def drain(self) -> None:
        """Wait until every entry buffered so far is written (tests, shutdown)."""
        self._wake.set()
        await self._idle.wait()

    async def _run(self) -> None:
        delay, healthy = self.settings.flush_interval_seconds, True
        while not self._stopping:
            if healthy:  # new entries wake the writer early
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._wake.wait()
            else:  # during an outage, the back-off alone says when to try again
                await asyncio.sleep(delay)
            self._wake.clear()
            healthy = await self.write_pending()
            delay = self._next_delay(delay, healthy)
        await self.write_pending()

    def _next_delay(self, delay: float, written: bool) -> float:
        if written:
            return self.settings.flush_interval_seconds
        return min(max(delay * 2, 0.1), self.settings.retry_max_seconds)

    async def write_pending(self) -> bool:
        """Write the buffer in batches; False if the store refused (the entries stay)."""
        while self._buffer:
            batch = [
                self._buffer[i] for i in range(min(len(self._buffer), self.settings.batch_size))
            ]
            try:
                await _insert(self.store, batch)
            except Exception as exc:
                log.warning("audit_store_unavailable", error=repr(exc), pending=len(self._buffer))
                return False
            for _ in batch:
                self._buffer.popleft()
            AUDIT_WRITTEN.inc(len(batch))
            self._report_drops()
        self._idle.set()
        return True

    def _report_drops(self) -> None:
        if self.dropped:
            log.warning(
                f"{self.dropped} audit entries dropped",
                event_name="audit_entries_dropped",
                count=self.dropped,
            )
            self.dropped = 0
