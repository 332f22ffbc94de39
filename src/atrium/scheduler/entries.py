"""Beat's in-memory view of a task (its timing), and its messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row

from atrium.scheduler import ledger
from atrium.scheduler.models import ScheduleKind
from atrium.scheduler.publisher import Message
from atrium.scheduler.schedules import ScheduleSpec, Timing, compile_schedule, to_ms


@dataclass(slots=True)
class Entry(Timing):
    next_ms: int | None = None
    one_off: bool = False


def entry_from_row(row: Row[Any]) -> Entry:
    """An in-memory entry from a row's timing columns (raises if the row is unusable)."""
    crontab = None
    if row.kind == ScheduleKind.CRONTAB:
        crontab = (
            row.crontab_minute,
            row.crontab_hour,
            row.crontab_day_of_week,
            row.crontab_day_of_month,
            row.crontab_month_of_year,
        )
    solar = None
    if row.kind == ScheduleKind.SOLAR:
        solar = (row.solar_event, row.solar_latitude, row.solar_longitude)
    spec = ScheduleSpec(row.kind, row.interval_seconds, crontab, row.timezone or "UTC", solar)
    entry = Entry(
        schedule=compile_schedule(spec),
        changed_ms=to_ms(row.schedule_changed_at),
        last_ms=_ms(row.last_run_at),
        start_ms=_ms(row.start_at),
        expires_ms=_ms(row.expires_at),
        clocked_ms=_ms(row.clocked_at),
        one_off=bool(row.one_off) or row.kind == ScheduleKind.CLOCKED,
    )
    entry.next_ms = entry.next_slot()
    return entry


def _ms(value: Any) -> int | None:
    return None if value is None else to_ms(value)


def message(row: Row[Any], task_id: str) -> Message:
    """The Celery message of a due row (its dispatch columns)."""
    options: dict[str, Any] = {
        "headers": {**(row.headers or {}), ledger.LEDGER_HEADER: "1"},
    }
    for name in ("queue", "routing_key", "priority"):
        value = getattr(row, name)
        if value is not None:
            options[name] = value
    if row.expires_at is not None:
        options["expires"] = row.expires_at
    return Message(row.task, task_id, list(row.args or []), dict(row.kwargs or {}), options)
