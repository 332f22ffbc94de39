"""Run history for the ops API: ledger documents, newest first, with filters and a cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from bson import ObjectId

from atrium.core.errors import InvalidCursor
from atrium.core.pagination import decode_cursor, encode_cursor
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
    position = decode_cursor(cursor)
    if position is not None:
        if not ObjectId.is_valid(str(position.get("id"))):
            raise InvalidCursor()
        query["_id"] = {"$lt": ObjectId(str(position["id"]))}
    runs = await TaskRun.find(query).sort("-_id").limit(limit + 1).to_list()
    more = len(runs) > limit
    runs = runs[:limit]
    return runs, encode_cursor({"id": str(runs[-1].id)}) if more and runs else None
