"""The static ``beat_schedule`` from settings, merged into the periodic task table by name."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.config import StaticPeriodicTask
from atrium.scheduler import repository as repo
from atrium.scheduler.models import PeriodicTask
from atrium.scheduler.schedules import compile_schedule
from atrium.scheduler.schemas import (
    CrontabSchedule,
    IntervalSchedule,
    ScheduleIn,
    schedule_columns,
    spec_of,
)

log = structlog.get_logger(__name__)


def static_values(entry: StaticPeriodicTask) -> dict[str, Any]:
    if entry.every is not None:
        schedule: ScheduleIn = IntervalSchedule(every=entry.every)
    else:
        minute, hour, dom, month, dow = (entry.crontab or "").split()
        schedule = CrontabSchedule(
            minute=minute, hour=hour, day_of_month=dom, month_of_year=month, day_of_week=dow
        )
    compile_schedule(spec_of(schedule, entry.timezone))
    return {
        "task": entry.task,
        "args": entry.args,
        "kwargs": entry.kwargs,
        "queue": entry.queue,
        "timezone": entry.timezone,
        "description": entry.description or "Static: a domain's entry or celery.beat_schedule.",
        **schedule_columns(schedule),
    }


async def merge_static(session: AsyncSession, entries: dict[str, StaticPeriodicTask]) -> int:
    """Upsert the settings' periodic tasks by name (their definition only: never ``enabled``
    or run state). Only changed values are written, so an unchanged entry fires no change."""
    existing = await repo.all_named(session, entries)
    written = 0
    for name, entry in entries.items():
        try:
            values = static_values(entry)
        except ValueError as exc:
            log.warning("static_task_invalid", name=name, error=str(exc))
            continue
        task = existing.get(name)
        if task is None:
            session.add(PeriodicTask(name=name, **values))
            written += 1
            continue
        changed = {k: v for k, v in values.items() if getattr(task, k) != v}
        for k, v in changed.items():
            setattr(task, k, v)
        written += bool(changed)
    await session.flush()
    return written
