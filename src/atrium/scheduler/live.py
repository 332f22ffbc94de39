"""Run events pushed live: ``scheduler:run`` to the sockets subscribed to the ``scheduler:runs``
room, each time a ledger run (a periodic dispatch or a "run now") is dispatched, started, retried,
succeeded or failed.

Beat (periodic dispatches) and the API node ("run now") emit ``dispatched``; the worker running
the task emits the rest once the ledger holds it, through the write-only Redis manager, so every
API node pushes the event to its own subscribers. The room has the same name on every node.

Who may watch: whoever may read the run history (``GET:/api/v1/scheduler/runs``; superusers do),
checked when a socket subscribes and again, from SQL, whenever RBAC changes a subscriber's access
(``scheduler.events``): a socket whose user lost it leaves the room before the change is reported
done.

Events of one run come from different processes (the dispatcher, then the worker), so
``dispatched`` may arrive after ``started``; a client keeps the furthest phase (``PHASE_ORDER``).
Every emit is best effort: no store outage ever costs a run its time or its ledger record.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

import structlog

from atrium.core import cancel
from atrium.core.schemas import Schema
from atrium.scheduler.documents import RunStatus, RunTrigger, TaskRun

if TYPE_CHECKING:
    from atrium.core.state import AppState

log = structlog.get_logger(__name__)

RUN_EVENT = "scheduler:run"
ROOM = "scheduler:runs"
# The code whose holders may watch runs live: the run history's own route code.
RUNS_READ = "GET:/api/v1/scheduler/runs"
REALTIME_DOMAIN = "atrium.realtime"
ERROR_SUMMARY_LIMIT = 500
EMIT_TIMEOUT = 2.0
# Events queued for the background sender (beat): past this many, new ones are dropped.
QUEUE_LIMIT = 10_000


class RunPhase(StrEnum):
    DISPATCHED = "dispatched"
    STARTED = "started"
    RETRYING = "retrying"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


PHASES = {
    RunStatus.SENT: RunPhase.DISPATCHED,
    RunStatus.STARTED: RunPhase.STARTED,
    RunStatus.RETRY: RunPhase.RETRYING,
    RunStatus.SUCCESS: RunPhase.SUCCEEDED,
    RunStatus.FAILURE: RunPhase.FAILED,
}
# A run's phases in the order they happen (a retry goes back to started, then on).
PHASE_ORDER = (
    RunPhase.DISPATCHED,
    RunPhase.STARTED,
    RunPhase.RETRYING,
    RunPhase.SUCCEEDED,
    RunPhase.FAILED,
)


class RunEvent(Schema):
    """One step of a run, as ``scheduler:run`` carries it (the run history's fields, without the
    result and the traceback; ``error`` is a summary, the full one is in the history)."""

    phase: RunPhase
    id: str
    task_id: str
    periodic_task_id: UUID | None
    periodic_task_name: str
    task: str
    trigger: RunTrigger
    status: RunStatus
    scheduled_at: datetime | None
    dispatched_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: float | None
    error: str | None
    retries: int
    worker: str | None


def event_of(run: TaskRun, phase: RunPhase | None = None) -> RunEvent | None:
    """The event of the run's step (None for a status that is no step, ``dispatching``)."""
    phase = phase or PHASES.get(run.status)
    if phase is None:
        return None
    error = run.error[:ERROR_SUMMARY_LIMIT] if run.error else None
    fields = run.model_dump(include=set(RunEvent.model_fields) - {"phase", "id", "error"})
    return RunEvent(phase=phase, id=str(run.id), error=error, **fields)


class RunEvents:
    """Emits run events through this process's emitter (an API node's server, or a write-only
    Redis manager in beat and the workers)."""

    def __init__(self, state: AppState) -> None:
        self._state = state
        self._queue: deque[dict[str, Any]] = deque()
        self._sender: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return "RunEvents()"

    @classmethod
    def of(cls, state: AppState) -> RunEvents | None:
        """The run events of a process, or None without the realtime domain (nobody listens)."""
        return cls(state) if REALTIME_DOMAIN in state.settings.domains else None

    async def emit(self, runs: Iterable[TaskRun], phase: RunPhase | None = None) -> None:
        """Tell the subscribers of each run's current step; never raises."""
        for run in runs:
            found = event_of(run, phase)
            if found is not None:
                await self._emit(found.model_dump(mode="json"))

    def emit_later(self, runs: Iterable[TaskRun], phase: RunPhase | None = None) -> None:
        """``emit`` in the background, in order (beat: a dispatch never waits for Redis)."""
        for run in runs:
            found = event_of(run, phase)
            if found is None:
                continue
            if len(self._queue) >= QUEUE_LIMIT:
                log.warning("scheduler_run_event_dropped", run_id=found.id, reason="queue full")
                continue
            self._queue.append(found.model_dump(mode="json"))
        if self._queue and (self._sender is None or self._sender.done()):
            self._sender = asyncio.create_task(self._send(), name="scheduler-run-events")

    async def _send(self) -> None:
        while self._queue:
            await self._emit(self._queue.popleft())

    async def _emit(self, data: dict[str, Any]) -> None:
        # Imported on first use: beat's task-name child and a worker that never emits (no
        # realtime domain) do not load Socket.IO and what it pulls in.
        from atrium.realtime.emitter import emitter

        try:
            async with asyncio.timeout(EMIT_TIMEOUT):
                await emitter(self._state).emit(RUN_EVENT, data, room=ROOM)
        except Exception as exc:
            log.warning("scheduler_run_event_failed", run_id=data.get("id"), error=repr(exc))

    async def close(self) -> None:
        """Send what is queued (for a moment), then close a write-only emitter's Redis client
        (beat, at its end)."""
        from atrium.realtime.emitter import close_emitter

        if self._sender is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._sender), EMIT_TIMEOUT)
            await cancel.stop(self._sender)
        await close_emitter(self._state)
