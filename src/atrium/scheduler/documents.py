"""The run ledger (MongoDB): one document per dispatch of a periodic task.

The unique index on (periodic task, scheduled time) is what makes a double dispatch impossible:
beat inserts the document *before* publishing, and a second beat (or a restarted one) that
computes the same slot fails the insert and publishes nothing. Manual runs ("run now") carry no
scheduled time and stay out of that index. Worker signals fill in status, timings and outcome.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import pymongo
from beanie import Document
from pydantic import Field
from pymongo import IndexModel

from atrium.core.clock import utcnow
from atrium.core.dailycounts import DAILY_INDEXES, DailyCount


class RunStatus(StrEnum):
    DISPATCHING = "dispatching"  # ledger written, message not yet confirmed sent
    SENT = "sent"
    STARTED = "started"
    RETRY = "retry"
    SUCCESS = "success"
    FAILURE = "failure"


class RunTrigger(StrEnum):
    SCHEDULE = "schedule"
    MANUAL = "manual"


DEFAULT_RETENTION_SECONDS = 30 * 24 * 3600


class TaskRun(Document):
    periodic_task_id: UUID | None = None
    periodic_task_name: str
    task: str
    task_id: str  # the Celery task id
    trigger: RunTrigger = RunTrigger.SCHEDULE
    scheduled_at: datetime | None = None
    status: RunStatus = RunStatus.DISPATCHING
    dispatched_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_ms: float | None = None
    result: Any = None
    error: str | None = None
    traceback: str | None = None
    retries: int = 0
    worker: str | None = None
    dispatched_by: str | None = None

    class Settings:
        name = "scheduler_task_runs"
        indexes = [
            IndexModel(
                [("periodic_task_id", pymongo.ASCENDING), ("scheduled_at", pymongo.ASCENDING)],
                name="uq_periodic_task_slot",
                unique=True,
                partialFilterExpression={"scheduled_at": {"$type": "date"}},
            ),
            IndexModel([("task_id", pymongo.ASCENDING)], name="uq_task_id", unique=True),
            IndexModel(
                [("periodic_task_id", pymongo.ASCENDING), ("_id", pymongo.DESCENDING)],
                name="ix_periodic_task_recent",
            ),
            IndexModel([("status", pymongo.ASCENDING), ("_id", pymongo.DESCENDING)]),
            IndexModel(
                [("dispatched_at", pymongo.ASCENDING)],
                name="ttl_dispatched_at",
                expireAfterSeconds=DEFAULT_RETENTION_SECONDS,
            ),
        ]


class RunDay(DailyCount):
    """Runs per UTC day of dispatch and current status, moved along as the ledger records."""

    class Settings:
        name = "scheduler_run_days"
        indexes = DAILY_INDEXES


DOCUMENTS: list[type[Document]] = [TaskRun, RunDay]
