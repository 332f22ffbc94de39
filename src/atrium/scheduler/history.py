"""Run history for the ops API: ledger documents, newest first, with filters and a cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from atrium.core.cursors import NEWEST_FIRST
from atrium.scheduler.documents import RunStatus, TaskRun


async def page(
    *,
    periodic_task_id: UUID | None,
    status: RunStatus | None,
    task: str | None,
    since: datetime | None,
    until: datetime | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[TaskRun], str | None]:
    """Runs, newest first, after an opaque cursor."""
    query: dict[str, Any] = {}
    if periodic_task_id is not None:
        query["periodic_task_id"] = periodic_task_id
    if status is not None:
        query["status"] = status.value
    if task is not None:
        query["task"] = task
    window = {k: v for k, v in (("$gte", since), ("$lt", until)) if v is not None}
    if window:
        query["dispatched_at"] = window
    return await NEWEST_FIRST.page(TaskRun, query, cursor, limit)
