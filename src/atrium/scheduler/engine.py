"""The async beat engine: every enabled task's next slot in a heap, changes applied one by one.

A tick: read the change log past the cursor when the poll is due (only the changed rows are
re-read), dispatch what is due if leading, hand the run state to a background write, then sleep
until the next slot, the next change poll or the end of a back-off. Nothing in a tick scans all
tasks. The leader lease is renewed by a task of its own, so a long reload never delays it, and
a slow run-state write (a lock held by someone else) never delays dispatching.

Missed-run policy: a task whose slot passed while no beat dispatched (beat down, no leader,
broker or database out) runs once when dispatching resumes, keyed by its first missed slot; the
other missed slots are skipped and the schedule continues from the dispatch time. A slot is
claimed in the run ledger before it is published, so it is published at most once, by any beat.
A slot another beat already claimed counts as run at that beat's dispatch time.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import heapq
import os
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar
from uuid import UUID, uuid4

import structlog
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from atrium.config import Settings
from atrium.core import cancel
from atrium.core.backoff import Backoff
from atrium.core.clock import utcnow
from atrium.core.db import Database
from atrium.core.redis import RedisClient
from atrium.scheduler import repository as repo
from atrium.scheduler.dispatch import STORE_RETRY, Dispatcher, Outcome
from atrium.scheduler.entries import Entry, entry_from_row
from atrium.scheduler.lease import LeaderLease, lease_key
from atrium.scheduler.ledger import RunLedger
from atrium.scheduler.live import RunEvents
from atrium.scheduler.publisher import Publisher
from atrium.scheduler.schedules import from_ms, to_ms
from atrium.scheduler.tasknames import FromChild, TaskNames

log = structlog.get_logger(__name__)
T = TypeVar("T")

CHANGE_BATCH = 5000
DISPATCH_BATCH = 500
PRUNE_EVERY = 300.0
CLOSE_TIMEOUT = 10.0


def _release_free_memory() -> None:
    """Give the load's transient memory (rows, driver buffers) back to the system, then keep
    the loaded entries out of the collector's full passes (100k entries: a 0.5 s pause).

    A full collection of the whole process: only for a process that is the beat and nothing
    else. In a process holding much more (a test run, an API node) it takes seconds.
    """
    gc.unfreeze()
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc only; elsewhere a no-op
    gc.freeze()


def beat_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:6]}"


class BeatEngine:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        redis: RedisClient,
        publisher: Publisher,
        *,
        clock: Callable[[], int] | None = None,
        identity: str | None = None,
        ledger: RunLedger | None = None,
        task_names: TaskNames | None = None,
        owns_process: bool = False,
        events: RunEvents | None = None,
    ) -> None:
        self.settings = settings
        self.owns_process = owns_process  # the beat process: it may collect the whole heap
        self.db = db
        self.identity = identity or beat_identity()
        self.dispatcher = Dispatcher(
            publisher, ledger or RunLedger(), self.identity, task_names or FromChild(), events
        )
        self.clock = clock or (lambda: to_ms(utcnow()))
        self.lease = LeaderLease(
            redis, lease_key(settings), self.identity, settings.celery.beat_lease_seconds
        )
        self.entries: dict[UUID, Entry] = {}
        # (slot, task id): an item is current while its entry's next_ms is that slot.
        self.heap: list[tuple[int, UUID]] = []
        self.cursor = 0
        self.loaded = False
        self.leading = False
        self.pending_runs: list[dict[str, Any]] = []
        self.dispatched = 0
        self.duplicates = 0
        self._reload_due = False
        self._next_poll = 0.0
        self._next_lease = 0.0
        self._next_prune = 0.0
        self._last_poll_ok = time.monotonic()
        self._loaded_at = 0.0
        self._sql = Backoff(STORE_RETRY)
        self._redis = Backoff(STORE_RETRY)
        self._dispatch_backoff = Backoff(STORE_RETRY)
        self._flush_backoff = Backoff(STORE_RETRY)
        self._flush_task: asyncio.Task[None] | None = None
        self._prune_task: asyncio.Task[None] | None = None
        self._keeper: asyncio.Task[None] | None = None
        self._closed = False
        self._reader: repo.ReadConnection | None = None

    @property
    def publisher(self) -> Publisher:
        return self.dispatcher.publisher

    @publisher.setter
    def publisher(self, value: Publisher) -> None:
        self.dispatcher.publisher = value

    # -- the loop --------------------------------------------------------------------------------

    async def tick(self) -> float:
        """One pass; returns how long to sleep before the next."""
        self._keep_lease()
        if self._needs_load() and (not self._sql.ready() or not await self.load()):
            return self._sleep()
        if time.monotonic() >= self._next_poll and self._sql.ready():
            await self.apply_changes()
        if self.can_dispatch and self._dispatch_backoff.ready():
            await self.dispatch_due()
        self.start_flush()
        if self.leading and time.monotonic() >= self._next_prune:
            self._start_prune()
        return self._sleep()

    @property
    def can_dispatch(self) -> bool:
        return self.lease.held and not self._reload_due

    def _needs_load(self) -> bool:
        return not self.loaded or self._reload_due or self._stalled()

    def _sleep(self) -> float:
        """Until the next due work: a back-off in force pushes its work's deadline back."""
        mono = time.monotonic()
        wake = mono + self.settings.celery.beat_max_loop_interval
        if self._needs_load():
            wake = min(wake, self._sql.until)
        else:
            wake = min(wake, max(self._next_poll, self._sql.until))
            if self.can_dispatch and self.heap:
                head = mono + (self.heap[0][0] - self.clock()) / 1000
                wake = min(wake, max(head, self._dispatch_backoff.until))
        return max(0.0, wake - mono)

    def _stalled(self) -> bool:
        # Change rows older than the retention may be pruned: a beat this late must reload.
        retention = self.settings.celery.beat_change_retention_seconds
        return time.monotonic() - self._last_poll_ok > retention / 2

    # -- loading and changes ----------------------------------------------------------------

    async def load(self) -> bool:
        started = time.perf_counter()
        entries: dict[UUID, Entry] = {}
        try:
            async with self.db.session() as session:
                cursor = await repo.last_change_seq(session)
                async for row in repo.stream_enabled_timings(session):
                    self._add(entries, row)
        except Exception as exc:
            log.warning("beat_load_failed", error=repr(exc), retry_in=self._sql.failed())
            return False
        self._sql.ok()
        self.entries, self.cursor, self.loaded, self._reload_due = entries, cursor, True, False
        if self.owns_process:
            _release_free_memory()
        self._last_poll_ok = self._loaded_at = time.monotonic()
        self._rebuild_heap()
        self.dispatcher.task_names.known()  # starts finding them out, in the background
        log.info("beat_loaded", tasks=len(entries), seconds=round(time.perf_counter() - started, 3))
        return True

    def _add(self, entries: dict[UUID, Entry], row: Row[Any]) -> Entry | None:
        """Add a row's entry; a row beat cannot use is skipped, never fatal."""
        try:
            entry = entry_from_row(row)
        except Exception as exc:
            log.warning("beat_invalid_schedule", periodic_task_id=str(row.id), error=repr(exc))
            return None
        entries[row.id] = entry
        return entry

    def _next_slot(self, task_id: UUID, entry: Entry) -> int | None:
        try:
            return entry.next_slot()
        except Exception as exc:
            log.warning("beat_invalid_schedule", periodic_task_id=str(task_id), error=repr(exc))
            return None

    def _rebuild_heap(self) -> None:
        self.heap = [
            (entry.next_ms, task_id)
            for task_id, entry in self.entries.items()
            if entry.next_ms is not None
        ]
        heapq.heapify(self.heap)

    def _push(self, task_id: UUID, entry: Entry) -> None:
        if entry.next_ms is not None:
            heapq.heappush(self.heap, (entry.next_ms, task_id))
        if len(self.heap) > 2 * len(self.entries) + 1000:
            self._rebuild_heap()

    async def apply_changes(self) -> int:
        """Apply the change log past the cursor; returns how many tasks changed."""
        try:
            changes, rows = await self._read(self._changed_rows)
        except Exception as exc:
            log.warning("beat_changes_failed", error=repr(exc), retry_in=self._sql.failed())
            return 0
        self._sql.ok()
        self._last_poll_ok = time.monotonic()
        full = len(changes) == CHANGE_BATCH
        self._next_poll = self._last_poll_ok + (
            0 if full else self.settings.celery.beat_change_poll_seconds
        )
        for task_id in rows:
            self._apply(task_id, rows[task_id])
        if changes:
            self.cursor = changes[-1][0]
        return len(rows)

    async def _changed_rows(
        self, conn: AsyncConnection
    ) -> tuple[list[tuple[int, UUID]], dict[UUID, Row[Any] | None]]:
        changes = await repo.changes_after(conn, self.cursor, CHANGE_BATCH)
        if not changes:
            return changes, {}
        ids = list(dict.fromkeys(task_id for _, task_id in changes))
        found = await repo.timings(conn, ids)
        return changes, {task_id: found.get(task_id) for task_id in ids}

    async def _read(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """A read on beat's own connection (on ``self.db``, even if it was replaced)."""
        if self._reader is None or self._reader.engine is not self.db.engine:
            if self._reader is not None:
                await self._reader.close()
            self._reader = repo.ReadConnection(self.db.engine)
        return await self._reader.run(work)

    def _apply(self, task_id: UUID, row: Row[Any] | None) -> None:
        old = self.entries.pop(task_id, None)
        if row is None or not row.enabled:
            return
        entry = self._add(self.entries, row)
        if entry is None:
            return
        if old is not None and old.last_ms is not None and (entry.last_ms or 0) < old.last_ms:
            entry.last_ms = old.last_ms  # our own run-state write may still be pending
            entry.next_ms = self._next_slot(task_id, entry)
        self._push(task_id, entry)

    # -- leadership ---------------------------------------------------------------------------

    def _keep_lease(self) -> None:
        """Renew the lease in a task of its own (started by the first tick, on its loop)."""
        if not self._closed and (self._keeper is None or self._keeper.done()):
            self._keeper = asyncio.get_running_loop().create_task(self._lease_keeper())

    async def _lease_keeper(self) -> None:
        while not self._closed:
            try:
                await self.refresh_lease()
            except Exception:
                log.exception("beat_lease_keeper_failed")
            wake = max(self._next_lease, self._redis.until)
            await asyncio.sleep(max(0.05, wake - time.monotonic()))

    async def refresh_lease(self) -> bool:
        """Take or renew the lease; a leader that loses it stops dispatching (no crash)."""
        try:
            leading = await self.lease.refresh()
        except Exception as exc:
            leading = False
            log.warning("beat_lease_unavailable", error=repr(exc), retry_in=self._redis.failed())
            self._next_lease = time.monotonic()  # again when the back-off ends
        else:
            self._redis.ok()
            self._next_lease = time.monotonic() + self.lease.renew_every
        if leading and not self.leading:
            log.info("beat_leading", beat=self.identity)
            if self.loaded and time.monotonic() - self._loaded_at > 1.0:
                self._reload_due = True  # pick up the run state the previous leader wrote
        elif self.leading and not leading:
            log.warning("beat_lost_lease", beat=self.identity)
        self.leading = leading
        return leading

    # -- dispatch ---------------------------------------------------------------------------------

    def _pop_due(self, now: int) -> list[tuple[UUID, Entry, int]]:
        due: list[tuple[UUID, Entry, int]] = []
        taken: set[UUID] = set()
        while self.heap and self.heap[0][0] <= now and len(due) < DISPATCH_BATCH:
            slot, task_id = heapq.heappop(self.heap)
            entry = self.entries.get(task_id)
            if entry is not None and entry.next_ms == slot and task_id not in taken:
                taken.add(task_id)
                due.append((task_id, entry, slot))
        return due

    async def dispatch_due(self) -> int:
        """Dispatch every due slot (in batches); returns how many messages were published."""
        published = 0
        await self.dispatcher.retry_bookkeeping()
        while self.can_dispatch:
            now = self.clock()
            due = self._pop_due(now)
            if not due:
                break
            try:
                rows = await self._dispatch_rows([task_id for task_id, _, _ in due])
                outcome = await self.dispatcher.dispatch(due, rows, now)
            except Exception as exc:
                self._repush(due)  # nothing was published: still due, after the back-off
                retry_in = self._dispatch_backoff.failed()
                log.warning("beat_dispatch_failed", error=repr(exc), retry_in=retry_in)
                break
            published += self._apply_outcome(outcome, now)
            if outcome.unsent:
                retry_in = self._dispatch_backoff.failed()
                log.warning("beat_publish_failed", failed=len(outcome.unsent), retry_in=retry_in)
                break
            self._dispatch_backoff.ok()
        return published

    async def _dispatch_rows(self, ids: list[UUID]) -> dict[UUID, Row[Any]]:
        return await self._read(lambda conn: repo.dispatch_rows(conn, ids))

    def _repush(self, due: list[tuple[UUID, Entry, int]]) -> None:
        for task_id, entry, slot in due:
            if self.entries.get(task_id) is entry and entry.next_ms == slot:
                self._push(task_id, entry)

    def _apply_outcome(self, outcome: Outcome, now: int) -> int:
        for task_id in outcome.dropped:
            self.entries.pop(task_id, None)  # its change is on the way (or it is refused)
        for item in outcome.sent:
            self._advance(item.task_id, item.entry, now, counted=True)
        for item, at in outcome.taken:
            self._advance(item.task_id, item.entry, at, counted=False)
        self._repush([(item.task_id, item.entry, item.slot) for item in outcome.unsent])
        self.dispatched += len(outcome.sent)
        self.duplicates += len(outcome.taken)
        return len(outcome.sent)

    def _advance(self, task_id: UUID, entry: Entry, last_ms: int, counted: bool) -> None:
        entry.last_ms = max(entry.last_ms or last_ms, last_ms)
        entry.next_ms = None if entry.one_off else self._next_slot(task_id, entry)
        self.pending_runs.append(self._run_state(task_id, entry, counted))
        if entry.one_off:
            self.entries.pop(task_id, None)
        else:
            self._push(task_id, entry)

    def _run_state(self, task_id: UUID, entry: Entry, counted: bool) -> dict[str, Any]:
        next_ms = entry.next_ms
        return {
            "b_id": task_id,
            "b_last": from_ms(entry.last_ms or 0),
            "b_next": None if next_ms is None else from_ms(next_ms),
            "b_inc": int(counted),
            "disable": entry.one_off,
        }

    # -- run state ----------------------------------------------------------------------------

    def start_flush(self) -> None:
        """Write the pending run state in the background (one write at a time)."""
        if not self.pending_runs or not self._flush_backoff.ready():
            return
        if self._flush_task is not None and not self._flush_task.done():
            return
        pending, self.pending_runs = self.pending_runs, []
        self._flush_task = asyncio.get_running_loop().create_task(self._flush(pending))

    async def _flush(self, pending: list[dict[str, Any]]) -> None:
        try:
            async with self.db.session() as session:
                await repo.limit_waits(session)
                await repo.record_runs(session, pending)
        except Exception as exc:
            self.pending_runs = pending + self.pending_runs
            log.warning(
                "beat_run_state_failed", error=repr(exc), retry_in=self._flush_backoff.failed()
            )
        else:
            self._flush_backoff.ok()

    async def flush_runs(self, seconds: float = CLOSE_TIMEOUT) -> None:
        """Write every pending run state now (waiting for a write in progress first)."""
        await self._wait_flush(seconds)
        self._flush_backoff.ok()
        self.start_flush()
        await self._wait_flush(seconds)

    async def _wait_flush(self, seconds: float) -> None:
        task = self._flush_task
        if task is not None and not task.done():
            await asyncio.wait({task}, timeout=seconds)

    def _start_prune(self) -> None:
        """Prune old change rows in the background (a write: it may wait for a lock)."""
        self._next_prune = time.monotonic() + PRUNE_EVERY
        live = {(task_id, entry.next_ms) for task_id, entry in self.entries.items()}
        self.dispatcher.forget_claims_except(live)
        if self._prune_task is None or self._prune_task.done():
            self._prune_task = asyncio.get_running_loop().create_task(self._prune())

    async def _prune(self) -> None:
        retention = timedelta(seconds=self.settings.celery.beat_change_retention_seconds)
        try:
            async with self.db.session() as session:
                await repo.limit_waits(session)
                await repo.prune_changes(session, utcnow() - retention)
        except Exception as exc:
            log.warning("beat_prune_failed", error=repr(exc))

    async def close(self) -> None:
        self._closed = True  # no tick after this starts another keeper
        await cancel.stop(self._keeper)
        await self.flush_runs()
        for task in (self._flush_task, self._prune_task):
            await cancel.stop(task)  # a write still blocked: the next start reads what was written
        if self._reader is not None:
            await self._reader.close()
        if self.leading:
            try:
                await self.lease.release()
            except Exception as exc:
                log.warning("beat_lease_release_failed", error=repr(exc))
        self.leading = False
