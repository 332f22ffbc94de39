"""Worker signals that record a ledger run's status, start, duration and result or error, then
push the step live (``scheduler.live``: ``scheduler:run`` to the subscribed sockets).

Only messages carrying the ledger header (periodic and "run now" dispatches) are recorded; a
task's own ``.delay()`` costs nothing here. The writes run in the background on the worker
process's loop, in order per task, each given ``WRITE_TIMEOUT`` seconds: a MongoDB outage costs
the ledger some records, never the tasks their time.
"""

from __future__ import annotations

import asyncio
import os
import time
import traceback as tb
from collections.abc import Callable, Coroutine
from typing import Any

import structlog
from celery import Task, signals

from atrium.core.clock import utcnow
from atrium.core.worker.loop import spawn
from atrium.core.worker.resources import worker_state
from atrium.scheduler import ledger
from atrium.scheduler.documents import TaskRun
from atrium.scheduler.live import RunEvents

log = structlog.get_logger(__name__)

WRITE_TIMEOUT = 5.0
MAX_IN_FLIGHT = 1000

Write = Callable[[], Coroutine[Any, Any, TaskRun | None]]
_started: dict[str, float] = {}
# The latest write per Celery task id (on the process loop): the next one waits for it.
_last: dict[str, asyncio.Task[None]] = {}


def _in_ledger(task: Task | None) -> bool:  # type: ignore[type-arg]
    if task is None:
        return False
    request = task.request
    headers = getattr(request, "headers", None) or {}
    return bool(getattr(request, ledger.LEDGER_HEADER, None) or headers.get(ledger.LEDGER_HEADER))


def _record(task_id: str, write: Write) -> None:
    """Queue a ledger write; never waits for MongoDB."""
    if len(_last) >= MAX_IN_FLIGHT:
        log.warning("ledger_write_dropped", task_id=task_id, reason="too many writes in flight")
        return
    try:
        spawn(lambda: _write(task_id, write))
    except Exception:
        log.exception("ledger_write_failed", task_id=task_id)


async def _write(task_id: str, write: Write) -> None:
    previous, current = _last.get(task_id), asyncio.current_task()
    if current is not None:
        _last[task_id] = current
    try:
        if previous is not None and not previous.done():
            await asyncio.wait({previous})
        async with asyncio.timeout(WRITE_TIMEOUT):
            state = await worker_state()  # Beanie is initialised with the stores
            run = await write()
        events = RunEvents.of(state)
        if run is not None and events is not None:  # after the record: the history has it
            await events.emit([run])
    except Exception as exc:
        log.warning("ledger_write_failed", task_id=task_id, error=repr(exc))
    finally:
        if _last.get(task_id) is current:
            del _last[task_id]


def on_prerun(task_id: str, task: Task | None = None, **_: Any) -> None:  # type: ignore[type-arg]
    if _in_ledger(task):
        assert task is not None
        _started[task_id] = time.perf_counter()
        worker, started_at = task.request.hostname, utcnow()
        _record(task_id, lambda: ledger.record_start(task_id, worker, started_at))


def on_success(sender: Task | None = None, result: Any = None, **_: Any) -> None:  # type: ignore[type-arg]
    if _in_ledger(sender):
        assert sender is not None
        task_id, duration = str(sender.request.id), _duration(str(sender.request.id))
        _record(
            task_id,
            lambda: ledger.record_finish(
                task_id, success=True, duration_ms=duration, result=result
            ),
        )


def on_failure(
    task_id: str,
    exception: BaseException | None = None,
    einfo: Any = None,
    sender: Task | None = None,  # type: ignore[type-arg]
    **_: Any,
) -> None:
    if _in_ledger(sender):
        error = f"{type(exception).__name__}: {exception}" if exception else "failed"
        trace = str(einfo) if einfo is not None else "".join(tb.format_exception(exception))
        duration = _duration(task_id)
        _record(
            task_id,
            lambda: ledger.record_finish(
                task_id, success=False, duration_ms=duration, error=error, traceback=trace
            ),
        )


def on_retry(request: Any = None, reason: Any = None, sender: Task | None = None, **_: Any) -> None:  # type: ignore[type-arg]
    if _in_ledger(sender) and request is not None:
        task_id, why = str(request.id), str(reason)
        _started.pop(task_id, None)
        _record(task_id, lambda: ledger.record_retry(task_id, why))


def _duration(task_id: str) -> float | None:
    started = _started.pop(task_id, None)
    return None if started is None else round((time.perf_counter() - started) * 1000, 3)


def _forget_after_fork() -> None:
    _last.clear()  # the parent's tasks belong to the parent's loop
    _started.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def connect() -> None:
    signals.task_prerun.connect(on_prerun, weak=False)
    signals.task_success.connect(on_success, weak=False)
    signals.task_failure.connect(on_failure, weak=False)
    signals.task_retry.connect(on_retry, weak=False)
