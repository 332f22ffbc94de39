"""One dispatch batch: check the rows, claim the slots in the ledger, publish, sort the outcome.

The engine owns the schedule (entries, heap, run state); this owns what a dispatch needs to
remember between batches: the claims not yet published (a retry reuses its own claim, so a
MongoDB error after a claim never loses the slot) and the ledger statuses still to write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import structlog
from sqlalchemy import Row

from atrium.core.backoff import Backoff, Exponential
from atrium.scheduler.documents import RunStatus, TaskRun
from atrium.scheduler.entries import Entry, message
from atrium.scheduler.ledger import RunLedger
from atrium.scheduler.live import RunEvents
from atrium.scheduler.publisher import Publisher, reserved_headers
from atrium.scheduler.schedules import from_ms, to_ms
from atrium.scheduler.tasknames import TaskNames

log = structlog.get_logger(__name__)

BOOKKEEPING_LIMIT = 10_000  # ledger status updates kept for a retry while MongoDB is out
# Beat's wait before it tries a failed store again (SQL, Redis, MongoDB, the broker).
STORE_RETRY = Exponential(first=0.5, cap=10.0)


@dataclass(slots=True)
class Due:
    """A due slot of a task, with its row and its claim."""

    task_id: UUID
    entry: Entry
    slot: int
    row: Row[Any]
    run: TaskRun


@dataclass(slots=True)
class Outcome:
    sent: list[Due] = field(default_factory=list)
    taken: list[tuple[Due, int]] = field(default_factory=list)  # run by another beat, at ms
    unsent: list[Due] = field(default_factory=list)  # ours, not published: still due
    dropped: list[UUID] = field(default_factory=list)  # gone, disabled or refused


class Dispatcher:
    def __init__(
        self,
        publisher: Publisher,
        ledger: RunLedger,
        identity: str,
        task_names: TaskNames,
        events: RunEvents | None = None,
    ) -> None:
        self.publisher = publisher
        self.ledger = ledger
        self.identity = identity
        self.task_names = task_names
        self.events = events  # told of each run published (``scheduler:run``, dispatched)
        # (task id, slot) -> the Celery task id of our claim, until its message is published.
        self.claims: dict[tuple[UUID, int], str] = {}
        self._unmarked: list[str] = []  # published, ledger status not yet "sent"
        self._unreleased: list[str] = []  # not published, ledger claim not yet withdrawn
        self._ledger_backoff = Backoff(STORE_RETRY)

    async def dispatch(
        self, due: list[tuple[UUID, Entry, int]], rows: dict[UUID, Row[Any]], now: int
    ) -> Outcome:
        """Claim and publish; raises (MongoDB) only before anything is published."""
        outcome = Outcome()
        batch = self._dispatchable(due, rows, now, outcome)
        for item in batch:  # remembered before the claim: a failed claim may still have landed
            self.claims[(item.task_id, item.slot)] = item.run.task_id
        claims = await self.ledger.claim([item.run for item in batch])
        ours = {run.task_id for run in claims.ours}
        mine = [item for item in batch if item.run.task_id in ours]
        flags = await self._publish(mine)
        sent = {item.run.task_id for item, ok in zip(mine, flags, strict=True) if ok}
        for item in batch:
            self._sort(item, sent, claims.taken, outcome)
        await self._bookkeeping(
            [item.run.task_id for item in outcome.sent],
            [item.run.task_id for item in outcome.unsent],
        )
        if self.events is not None and outcome.sent:
            for item in outcome.sent:
                item.run.status = RunStatus.SENT
            self.events.emit_later(item.run for item in outcome.sent)
        return outcome

    def _dispatchable(
        self,
        due: list[tuple[UUID, Entry, int]],
        rows: dict[UUID, Row[Any]],
        now: int,
        outcome: Outcome,
    ) -> list[Due]:
        batch: list[Due] = []
        for task_id, entry, slot in due:
            row = rows.get(task_id)
            refused = None if row is None or not row.enabled else self._refusal(row)
            if row is None or not row.enabled or refused is not None:
                if refused is not None:  # skipped until the row changes (or beat restarts)
                    log.warning("beat_task_skipped", periodic_task_id=str(task_id), reason=refused)
                outcome.dropped.append(task_id)
                continue
            batch.append(Due(task_id, entry, slot, row, self._run(task_id, row, slot, now)))
        return batch

    def _refusal(self, row: Row[Any]) -> str | None:
        reserved = reserved_headers(row.headers)
        if reserved:
            return f"headers override the message's own: {', '.join(reserved)}"
        registered = self.task_names.known()
        if registered is not None and row.task not in registered:
            return f"task {row.task!r} is not registered"
        schedulable = self.task_names.schedulable()
        if schedulable is not None and row.task not in schedulable:
            return f"task {row.task!r} is not declared schedulable"
        return None

    def _run(self, task_id: UUID, row: Row[Any], slot: int, now: int) -> TaskRun:
        return TaskRun(
            periodic_task_id=task_id,
            periodic_task_name=row.name,
            task=row.task,
            task_id=self.claims.get((task_id, slot)) or str(uuid4()),
            scheduled_at=from_ms(slot),
            dispatched_at=from_ms(now),
            dispatched_by=self.identity,
        )

    async def _publish(self, items: list[Due]) -> list[bool]:
        messages = [message(item.row, item.run.task_id) for item in items]
        try:
            return await self.publisher.publish(messages)
        except Exception as exc:
            log.warning("beat_publish_failed", error=repr(exc))
            return [False] * len(messages)

    def _sort(
        self, item: Due, sent: set[str], taken: dict[str, datetime | None], outcome: Outcome
    ) -> None:
        run_id = item.run.task_id
        if run_id in sent:
            del self.claims[(item.task_id, item.slot)]
            outcome.sent.append(item)
        elif run_id in taken:  # another beat has it: count it run at that beat's dispatch time
            del self.claims[(item.task_id, item.slot)]
            holder = taken[run_id]
            at = item.slot if holder is None else max(item.slot, to_ms(holder))
            outcome.taken.append((item, at))
        else:  # ours, not published: the retry reuses the claim
            outcome.unsent.append(item)

    def forget_claims_except(self, live: set[tuple[UUID, int | None]]) -> None:
        """Drop remembered claims of slots that are no longer due (task changed or gone)."""
        self.claims = {k: v for k, v in self.claims.items() if k in live}

    async def _bookkeeping(self, sent: list[str], unsent: list[str]) -> None:
        """Ledger statuses after a publish: best effort, kept for a retry if MongoDB fails."""
        self._unmarked = (self._unmarked + sent)[-BOOKKEEPING_LIMIT:]
        self._unreleased = (self._unreleased + unsent)[-BOOKKEEPING_LIMIT:]
        self._ledger_backoff.ok()
        await self.retry_bookkeeping()

    async def retry_bookkeeping(self) -> None:
        if not (self._unmarked or self._unreleased) or not self._ledger_backoff.ready():
            return
        try:
            await self.ledger.mark_sent(self._unmarked)
            self._unmarked = []
            await self.ledger.release(self._unreleased)
            self._unreleased = []
        except Exception as exc:
            log.warning(
                "beat_ledger_status_failed", error=repr(exc), retry_in=self._ledger_backoff.failed()
            )
        else:
            self._ledger_backoff.ok()
