"""Request and response models of the scheduler's ops API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, field_validator, model_validator

from atrium.core.schemas import Schema
from atrium.scheduler.crontab import CrontabError, zone
from atrium.scheduler.documents import RunStatus, RunTrigger
from atrium.scheduler.models import SCHEDULE_DEFINITION_COLUMNS
from atrium.scheduler.publisher import reserved_headers
from atrium.scheduler.schedules import ScheduleError, ScheduleSpec, compile_schedule

SolarEvent = Literal[
    "dawn_astronomical",
    "dawn_nautical",
    "dawn_civil",
    "sunrise",
    "solar_noon",
    "sunset",
    "dusk_civil",
    "dusk_nautical",
    "dusk_astronomical",
]


class IntervalSchedule(Schema):
    kind: Literal["interval"] = "interval"
    every: float = Field(ge=1, le=10 * 366 * 86400, description="Seconds between runs")


class CrontabSchedule(Schema):
    """Celery crontab fields; day of week 0-7 (0 and 7 are Sunday) or names (``mon-fri``)."""

    kind: Literal["crontab"] = "crontab"
    minute: str = Field(default="*", max_length=200)
    hour: str = Field(default="*", max_length=200)
    day_of_week: str = Field(default="*", max_length=200)
    day_of_month: str = Field(default="*", max_length=200)
    month_of_year: str = Field(default="*", max_length=200)


class ClockedSchedule(Schema):
    kind: Literal["clocked"] = "clocked"
    at: AwareDatetime


class SolarSchedule(Schema):
    kind: Literal["solar"] = "solar"
    event: SolarEvent
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


ScheduleIn = Annotated[
    IntervalSchedule | CrontabSchedule | ClockedSchedule | SolarSchedule,
    Field(discriminator="kind"),
]


def spec_of(schedule: ScheduleIn, timezone: str) -> ScheduleSpec:
    if isinstance(schedule, IntervalSchedule):
        return ScheduleSpec("interval", interval_seconds=schedule.every, timezone=timezone)
    if isinstance(schedule, CrontabSchedule):
        fields = (
            schedule.minute,
            schedule.hour,
            schedule.day_of_week,
            schedule.day_of_month,
            schedule.month_of_year,
        )
        return ScheduleSpec("crontab", crontab=fields, timezone=timezone)
    if isinstance(schedule, SolarSchedule):
        solar = (schedule.event, schedule.latitude, schedule.longitude)
        return ScheduleSpec("solar", solar=solar, timezone=timezone)
    return ScheduleSpec("clocked", timezone=timezone)


def _check_timezone(value: str) -> str:
    try:
        zone(value)
    except CrontabError as exc:
        raise ValueError(str(exc)) from exc
    return value


def _check_headers(value: dict[str, Any] | None) -> dict[str, Any] | None:
    reserved = reserved_headers(value)
    if reserved:
        raise ValueError(f"reserved message headers (set by Celery or beat): {', '.join(reserved)}")
    return value


def _check_schedule(schedule: ScheduleIn | None, timezone: str | None) -> None:
    if schedule is not None:
        try:
            compile_schedule(spec_of(schedule, timezone or "UTC"))
        except ScheduleError as exc:
            raise ValueError(f"invalid schedule: {exc}") from exc


class PeriodicTaskCreate(Schema):
    name: str = Field(min_length=1, max_length=200)
    task: str = Field(min_length=1, max_length=200, description="A registered task name")
    schedule: ScheduleIn
    timezone: str = Field(default="UTC", max_length=64, description="IANA timezone")
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    enabled: bool = True
    one_off: bool = False
    start_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None
    queue: str | None = Field(default=None, max_length=200)
    routing_key: str | None = Field(default=None, max_length=200)
    priority: int | None = Field(default=None, ge=0, le=255)
    headers: dict[str, Any] = {}
    description: str = Field(default="", max_length=4000)

    _timezone = field_validator("timezone")(_check_timezone)
    _headers = field_validator("headers")(_check_headers)

    @model_validator(mode="after")
    def _valid_schedule(self) -> PeriodicTaskCreate:
        _check_schedule(self.schedule, self.timezone)
        return self


class PeriodicTaskUpdate(Schema):
    """Only the fields given change; ``schedule`` replaces the whole schedule."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    task: str | None = Field(default=None, min_length=1, max_length=200)
    schedule: ScheduleIn | None = None
    timezone: str | None = Field(default=None, max_length=64)
    args: list[Any] | None = None
    kwargs: dict[str, Any] | None = None
    enabled: bool | None = None
    one_off: bool | None = None
    start_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None
    queue: str | None = Field(default=None, max_length=200)
    routing_key: str | None = Field(default=None, max_length=200)
    priority: int | None = Field(default=None, ge=0, le=255)
    headers: dict[str, Any] | None = None
    description: str | None = Field(default=None, max_length=4000)

    _headers = field_validator("headers")(_check_headers)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return None if value is None else _check_timezone(value)

    @model_validator(mode="after")
    def _valid_schedule(self) -> PeriodicTaskUpdate:
        _check_schedule(self.schedule, self.timezone)
        return self


class PeriodicTaskRead(Schema):
    id: UUID
    name: str
    task: str
    schedule: ScheduleIn
    timezone: str
    args: list[Any]
    kwargs: dict[str, Any]
    enabled: bool
    one_off: bool
    start_at: datetime | None
    expires_at: datetime | None
    queue: str | None
    routing_key: str | None
    priority: int | None
    headers: dict[str, Any]
    description: str
    last_run_at: datetime | None
    total_run_count: int
    next_run_at: datetime | None = Field(description="The next slot, computed as beat does")
    schedulable: bool = Field(
        description="False: the task is not registered or did not opt in to scheduling, so beat "
        "skips this row (with a warning) until its task is changed"
    )
    schedule_permission: str | None = Field(
        description="The permission code needed to change, enable or run this task"
    )
    created_at: datetime
    updated_at: datetime


class PreviewRequest(Schema):
    schedule: ScheduleIn
    timezone: str = Field(default="UTC", max_length=64)
    start_at: AwareDatetime | None = None
    expires_at: AwareDatetime | None = None
    count: int = Field(default=10, ge=1, le=100)

    _timezone = field_validator("timezone")(_check_timezone)

    @model_validator(mode="after")
    def _valid_schedule(self) -> PreviewRequest:
        _check_schedule(self.schedule, self.timezone)
        return self


class Preview(Schema):
    timezone: str
    fire_times: list[datetime] = Field(description="Next fire times, in the task's timezone")


class RegisteredTask(Schema):
    name: str
    permission: str | None = Field(description="The permission code needed to schedule it")


class RegisteredTasks(Schema):
    """The tasks a periodic task may use: registered and declared schedulable."""

    names: list[str]
    tasks: list[RegisteredTask]


class TaskRunRead(Schema):
    id: str
    periodic_task_id: UUID | None
    periodic_task_name: str
    task: str
    task_id: str
    trigger: RunTrigger
    scheduled_at: datetime | None
    status: RunStatus
    dispatched_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    duration_ms: float | None
    result: Any
    error: str | None
    retries: int
    worker: str | None


def schedule_columns(schedule: ScheduleIn) -> dict[str, Any]:
    """The table's schedule columns for a schedule (the other kinds' columns cleared)."""
    columns: dict[str, Any] = dict.fromkeys(SCHEDULE_DEFINITION_COLUMNS)
    columns["kind"] = schedule.kind
    if isinstance(schedule, IntervalSchedule):
        columns["interval_seconds"] = schedule.every
    elif isinstance(schedule, CrontabSchedule):
        for field in ("minute", "hour", "day_of_week", "day_of_month", "month_of_year"):
            columns[f"crontab_{field}"] = getattr(schedule, field)
    elif isinstance(schedule, ClockedSchedule):
        columns["clocked_at"] = schedule.at
    else:
        columns.update(
            solar_event=schedule.event,
            solar_latitude=schedule.latitude,
            solar_longitude=schedule.longitude,
        )
    return columns
