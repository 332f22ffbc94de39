"""Periodic task rules: validation against registered tasks, next fire times, run now.

Saves only flush: the caller's session commits (the request's, or the CLI's). Beat sees every
committed change through the database triggers, whoever made it.
"""

from __future__ import annotations

import asyncio
import inspect
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import structlog
from celery import Celery
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.clock import utcnow
from atrium.core.mapping import FieldMap
from atrium.core.pages import Page, PageParams
from atrium.core.responses import ErrorDetail
from atrium.core.worker.app import registered_task_names
from atrium.scheduler import ledger, schedulable, stats
from atrium.scheduler import repository as repo
from atrium.scheduler.crontab import zone
from atrium.scheduler.documents import RunStatus, RunTrigger, TaskRun
from atrium.scheduler.errors import (
    BrokerUnavailable,
    ClockedTimePassed,
    ReservedHeaders,
    SchedulerTaskNameTaken,
    SchedulerTaskNotFound,
    TaskArgumentsMismatch,
    UnknownTask,
)
from atrium.scheduler.live import RunEvents
from atrium.scheduler.models import SCHEDULE_DEFINITION_COLUMNS, PeriodicTask
from atrium.scheduler.publisher import Message, Publisher, reserved_headers
from atrium.scheduler.schedulable import Caller
from atrium.scheduler.schedules import (
    CLOCKED_GRACE_MS,
    ScheduleSpec,
    Timing,
    compile_schedule,
    from_ms,
    to_ms,
)
from atrium.scheduler.schemas import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTaskCreate,
    PeriodicTaskRead,
    PeriodicTaskUpdate,
    Preview,
    PreviewRequest,
    ScheduleIn,
    SolarSchedule,
    schedule_columns,
    spec_of,
)
from atrium.scheduler.tasknames import schedulable_tasks

log = structlog.get_logger(__name__)

# The schedule spreads over the schedule columns (``schedule_columns``); the rest map by name.
TASK_CREATE = FieldMap(PeriodicTaskCreate, PeriodicTask, handled={"schedule"})
TASK_UPDATE = FieldMap(PeriodicTaskUpdate, PeriodicTask, handled={"schedule"})
# A ``null`` in an update clears these (the others keep their value).
CLEARABLE_COLUMNS = frozenset(
    {*SCHEDULE_DEFINITION_COLUMNS, "start_at", "expires_at", "queue", "routing_key", "priority"}
)


# -- reading ----------------------------------------------------------------------------------


def schedule_of(task: PeriodicTask) -> ScheduleIn:
    if task.kind == "interval":
        return IntervalSchedule(every=task.interval_seconds or 0)
    if task.kind == "crontab":
        return CrontabSchedule(
            minute=task.crontab_minute or "*",
            hour=task.crontab_hour or "*",
            day_of_week=task.crontab_day_of_week or "*",
            day_of_month=task.crontab_day_of_month or "*",
            month_of_year=task.crontab_month_of_year or "*",
        )
    if task.kind == "solar":
        return SolarSchedule.model_validate(
            {
                "event": task.solar_event,
                "latitude": task.solar_latitude,
                "longitude": task.solar_longitude,
            }
        )
    return ClockedSchedule(at=task.clocked_at or utcnow())


def timing_of(task: PeriodicTask) -> Timing | None:
    """The task's timing exactly as beat computes it (None if disabled or unusable)."""
    if not task.enabled:
        return None
    try:
        schedule = compile_schedule(spec_of(schedule_of(task), task.timezone))
    except ValueError:
        return None
    return Timing(
        schedule=schedule,
        changed_ms=to_ms(task.schedule_changed_at),
        last_ms=None if task.last_run_at is None else to_ms(task.last_run_at),
        start_ms=None if task.start_at is None else to_ms(task.start_at),
        expires_ms=None if task.expires_at is None else to_ms(task.expires_at),
        clocked_ms=None if task.clocked_at is None else to_ms(task.clocked_at),
    )


def to_read(task: PeriodicTask, app: Celery) -> PeriodicTaskRead:
    """The task as the API shows it, flagged when beat will not run it (not schedulable)."""
    return _read(task, schedulable_tasks(app))


def _read(task: PeriodicTask, declared: dict[str, str | None]) -> PeriodicTaskRead:
    timing = timing_of(task)
    slot = None if timing is None else timing.next_slot()
    values: dict[str, Any] = task.model_dump()
    values.update(schedule=schedule_of(task), next_run_at=None if slot is None else from_ms(slot))
    values.update(schedulable=task.task in declared, schedule_permission=declared.get(task.task))
    return PeriodicTaskRead.model_validate(values)


async def next_due(session: AsyncSession, app: Celery, limit: int) -> list[PeriodicTaskRead]:
    """The next ``limit`` tasks beat will dispatch, soonest first, as the API shows them."""
    declared = schedulable_tasks(app)
    return [_read(task, declared) for task in await repo.next_due(session, limit)]


async def get(session: AsyncSession, task_id: UUID) -> PeriodicTask:
    task = await repo.get(session, task_id)
    if task is None:
        raise SchedulerTaskNotFound()
    return task


async def page(
    session: AsyncSession,
    app: Celery,
    params: PageParams,
    *,
    enabled: bool | None = None,
    kind: str | None = None,
    search: str | None = None,
) -> Page[PeriodicTaskRead]:
    found = await repo.page(session, params, enabled=enabled, kind=kind, search=search)
    declared = schedulable_tasks(app)
    return Page[PeriodicTaskRead](
        items=[_read(task, declared) for task in found.items],
        total=found.total,
        page=found.page,
        size=found.size,
        pages=found.pages,
    )


def preview(
    spec: ScheduleSpec,
    count: int,
    *,
    start_at: datetime | None = None,
    expires_at: datetime | None = None,
    clocked_at: datetime | None = None,
    last_run_at: datetime | None = None,
) -> Preview:
    """The next ``count`` fire times from now, in the schedule's timezone."""
    timing = Timing(
        schedule=compile_schedule(spec),
        changed_ms=to_ms(utcnow()),
        last_ms=None if last_run_at is None else to_ms(last_run_at),
        start_ms=None if start_at is None else to_ms(start_at),
        expires_ms=None if expires_at is None else to_ms(expires_at),
        clocked_ms=None if clocked_at is None else to_ms(clocked_at),
    )
    tz = zone(spec.timezone)
    times = [from_ms(slot).astimezone(tz) for slot in timing.preview(count)]
    return Preview(timezone=spec.timezone, fire_times=times)


def preview_request(body: PreviewRequest) -> Preview:
    clocked = body.schedule.at if isinstance(body.schedule, ClockedSchedule) else None
    spec = spec_of(body.schedule, body.timezone)
    return preview(
        spec, body.count, start_at=body.start_at, expires_at=body.expires_at, clocked_at=clocked
    )


def preview_task(task: PeriodicTask, count: int) -> Preview:
    """What beat will do next for a saved task (its run state included)."""
    timing = timing_of(task)
    tz = zone(task.timezone)
    times = [] if timing is None else [from_ms(s).astimezone(tz) for s in timing.preview(count)]
    return Preview(timezone=task.timezone, fire_times=times)


# -- writing ----------------------------------------------------------------------------------


def ensure_registered(app: Celery, name: str) -> None:
    if name not in registered_task_names(app):
        detail = ErrorDetail(loc=["body", "task"], message="not a registered task", type="unknown")
        raise UnknownTask(f"No task named {name!r} is registered.", details=[detail])


def ensure_callable(app: Celery, name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    """The task exists and its signature accepts ``args`` and ``kwargs`` (else 422)."""
    ensure_registered(app, name)
    task = app.tasks[name]
    if not getattr(task, "typing", True):
        return  # the task asked Celery not to check its arguments
    try:
        signature = inspect.signature(task.run)
    except (TypeError, ValueError):
        return  # no introspectable signature: nothing to check against
    try:
        signature.bind(*args, **kwargs)
    except TypeError as exc:
        detail = ErrorDetail(loc=["body", "kwargs"], message=str(exc), type="arguments")
        raise TaskArgumentsMismatch(
            f"The arguments do not fit {name}{signature}: {exc}.", details=[detail]
        ) from exc


def ensure_not_passed(schedule: ScheduleIn | None) -> None:
    """A clocked time already past would never fire (it expires when saved): refuse it."""
    if not isinstance(schedule, ClockedSchedule):
        return
    if schedule.at < utcnow() - timedelta(milliseconds=CLOCKED_GRACE_MS):
        detail = ErrorDetail(loc=["body", "schedule", "at"], message="in the past", type="past")
        raise ClockedTimePassed(details=[detail])


async def create(
    session: AsyncSession, app: Celery, body: PeriodicTaskCreate, caller: Caller
) -> PeriodicTask:
    ensure_callable(app, body.task, body.args, body.kwargs)
    schedulable.ensure_schedulable(app, body.task, caller)
    schedulable.ensure_arguments(app, body.task, body.args, body.kwargs)
    ensure_not_passed(body.schedule)
    task = TASK_CREATE.create(body, **schedule_columns(body.schedule))
    session.add(task)
    await _flush(session, task)
    return task


async def update(
    session: AsyncSession, app: Celery, task: PeriodicTask, body: PeriodicTaskUpdate, caller: Caller
) -> PeriodicTask:
    enabled = task.enabled if body.enabled is None else body.enabled
    schedulable.ensure_may_change(app, task.task, body.task, caller, enabled=enabled)
    if body.task is not None or body.args is not None or body.kwargs is not None:
        name = body.task if body.task is not None else task.task
        args = body.args if body.args is not None else task.args
        kwargs = body.kwargs if body.kwargs is not None else task.kwargs
        ensure_callable(app, name, args, kwargs)
        schedulable.ensure_arguments(app, name, args, kwargs)
    ensure_not_passed(body.schedule)
    columns = schedule_columns(body.schedule) if body.schedule is not None else None
    TASK_UPDATE.apply(task, body, clearable=CLEARABLE_COLUMNS, extra=columns)
    await _flush(session, task)
    return task


async def set_enabled(
    session: AsyncSession, app: Celery, task: PeriodicTask, enabled: bool, caller: Caller
) -> PeriodicTask:
    if enabled:
        schedulable.ensure_schedulable(app, task.task, caller)
    if task.enabled != enabled:
        task.enabled = enabled
        await _flush(session, task)
    return task


async def delete(session: AsyncSession, task: PeriodicTask) -> None:
    await session.delete(task)
    await session.flush()


async def _flush(session: AsyncSession, task: PeriodicTask) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        raise SchedulerTaskNameTaken() from exc
    await session.refresh(task)  # the triggers stamp schedule_changed_at in the database


# -- run now ----------------------------------------------------------------------------------


def ensure_own_headers(headers: dict[str, Any]) -> None:
    """A row written in plain SQL may carry headers the API refuses: never send them."""
    reserved = reserved_headers(headers)
    if reserved:
        raise ReservedHeaders(
            f"The task's headers override message headers: {', '.join(reserved)}."
        )


async def run_now(
    app: Celery, task: PeriodicTask, caller: Caller, events: RunEvents | None = None
) -> TaskRun:
    """Publish the task once, now, outside its schedule (recorded in the ledger as manual);
    ``events`` are told it was dispatched."""
    schedulable.ensure_schedulable(app, task.task, caller)
    ensure_own_headers(task.headers)
    run = TaskRun(
        periodic_task_id=task.id,
        periodic_task_name=task.name,
        task=task.task,
        task_id=str(uuid4()),
        trigger=RunTrigger.MANUAL,
        dispatched_by="api",
    )
    await run.insert()
    await stats.dispatched([run])
    options: dict[str, Any] = {"headers": {**task.headers, ledger.LEDGER_HEADER: "1"}}
    for name in ("queue", "routing_key", "priority"):
        if getattr(task, name) is not None:
            options[name] = getattr(task, name)
    message = Message(task.task, run.task_id, list(task.args), dict(task.kwargs), options)
    publisher = Publisher(app)
    try:
        sent = await publisher.publish([message])
    finally:
        await asyncio.to_thread(publisher.close)
    if not sent[0]:
        await ledger.release([run.task_id])
        raise BrokerUnavailable()
    await ledger.mark_sent([run.task_id])
    run.status = RunStatus.SENT
    if events is not None:
        await events.emit([run])
    return run
