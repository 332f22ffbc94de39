"""Periodic tasks in SQL, and the trigger-fed change log beat follows.

One row per periodic task, its schedule inline (``kind`` says which columns apply), so a plain
SQL statement can create or edit one. Database triggers (see the ``scheduler`` migration) write a
``scheduler_change`` row for every insert, delete and update of a configuration column, and stamp
``schedule_changed_at`` when the schedule (or ``enabled``/``start_at``) changes: beat applies only
what changed, whoever changed it. ``last_run_at``, ``total_run_count`` and ``next_run_at`` are
beat's run state: writing them fires no change.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, Integer, Text, Uuid
from sqlmodel import Field, SQLModel

from atrium.core.clock import utcnow
from atrium.core.db import IdMixin, TimestampMixin, UTCDateTime


class ScheduleKind(StrEnum):
    INTERVAL = "interval"
    CRONTAB = "crontab"
    CLOCKED = "clocked"
    SOLAR = "solar"


# The columns that define a schedule: its kind's are set, the other kinds' are NULL.
SCHEDULE_DEFINITION_COLUMNS = (
    "kind",
    "interval_seconds",
    "crontab_minute",
    "crontab_hour",
    "crontab_day_of_week",
    "crontab_day_of_month",
    "crontab_month_of_year",
    "clocked_at",
    "solar_event",
    "solar_latitude",
    "solar_longitude",
)
# Columns whose change restarts the schedule from the moment of the change (no phantom runs).
SCHEDULE_COLUMNS = (*SCHEDULE_DEFINITION_COLUMNS, "timezone", "enabled", "start_at")
# Columns whose change makes beat re-read a row (everything but identity, timestamps, run state).
CONFIG_COLUMNS = (
    "name",
    "task",
    "args",
    "kwargs",
    *SCHEDULE_COLUMNS,
    "one_off",
    "expires_at",
    "queue",
    "routing_key",
    "priority",
    "headers",
    "description",
)
RUN_STATE_COLUMNS = ("last_run_at", "total_run_count", "next_run_at")

_KINDS = ", ".join(f"'{kind.value}'" for kind in ScheduleKind)


class PeriodicTask(IdMixin, TimestampMixin, SQLModel, table=True):
    __tablename__ = "scheduler_periodic_task"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS})", name="kind"),
        CheckConstraint(
            "kind <> 'interval' OR (interval_seconds IS NOT NULL AND interval_seconds >= 1)",
            name="interval",
        ),
        CheckConstraint(
            "kind <> 'crontab' OR (crontab_minute IS NOT NULL AND crontab_hour IS NOT NULL"
            " AND crontab_day_of_week IS NOT NULL AND crontab_day_of_month IS NOT NULL"
            " AND crontab_month_of_year IS NOT NULL)",
            name="crontab",
        ),
        CheckConstraint("kind <> 'clocked' OR clocked_at IS NOT NULL", name="clocked"),
        CheckConstraint(
            "kind <> 'solar' OR (solar_event IS NOT NULL"
            " AND solar_latitude BETWEEN -90 AND 90 AND solar_longitude BETWEEN -180 AND 180)",
            name="solar",
        ),
        CheckConstraint("priority IS NULL OR (priority >= 0 AND priority <= 255)", name="priority"),
        CheckConstraint("total_run_count >= 0", name="total_run_count"),
    )

    name: str = Field(max_length=200, unique=True)
    task: str = Field(max_length=200, index=True)
    args: list[Any] = Field(default_factory=list, sa_type=JSON, nullable=False)
    kwargs: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    kind: str = Field(max_length=16)  # a ScheduleKind value
    interval_seconds: float | None = None
    crontab_minute: str | None = Field(default=None, max_length=200)
    crontab_hour: str | None = Field(default=None, max_length=200)
    crontab_day_of_week: str | None = Field(default=None, max_length=200)
    crontab_day_of_month: str | None = Field(default=None, max_length=200)
    crontab_month_of_year: str | None = Field(default=None, max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    clocked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    solar_event: str | None = Field(default=None, max_length=32)
    solar_latitude: float | None = None
    solar_longitude: float | None = None
    enabled: bool = Field(default=True, index=True)
    one_off: bool = False
    start_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    queue: str | None = Field(default=None, max_length=200)
    routing_key: str | None = Field(default=None, max_length=200)
    priority: int | None = None
    headers: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    description: str = Field(default="", sa_type=Text)
    last_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    total_run_count: int = 0
    next_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    schedule_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ScheduleChange(SQLModel, table=True):
    """One row per change of a periodic task, written by triggers, read by beat in ``seq`` order."""

    __tablename__ = "scheduler_change"

    seq: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    task_id: UUID = Field(sa_column=Column(Uuid, nullable=False))
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
