"""The run ledger: claim a slot before publishing, then record what the worker reports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from atrium.core.clock import utcnow
from atrium.core.dailycounts import day_of
from atrium.scheduler import stats
from atrium.scheduler.documents import RunStatus, TaskRun

RESULT_LIMIT = 4096
TRACEBACK_LIMIT = 8192
DUPLICATE_KEY = 11000
# A message header marks runs that are in the ledger (the worker records only those).
LEDGER_HEADER = "atrium_ledger"


@dataclass(slots=True)
class Claims:
    """What a claim found: the runs now ours, and when the taken slots were dispatched."""

    ours: list[TaskRun]
    taken: dict[str, datetime | None]  # our run's task id -> the holder's dispatched_at


class RunLedger:
    """Claims and bookkeeping of beat's runs, on one MongoDB collection."""

    def __init__(self, collection: AsyncCollection[dict[str, Any]] | None = None) -> None:
        self._collection = collection

    @property
    def collection(self) -> AsyncCollection[dict[str, Any]]:
        if self._collection is None:  # Beanie's (initialised by the process's start-up)
            self._collection = TaskRun.get_pymongo_collection()
        return self._collection

    @collection.setter
    def collection(self, value: AsyncCollection[dict[str, Any]]) -> None:
        self._collection = value

    async def claim(self, runs: Sequence[TaskRun]) -> Claims:
        """Insert the runs; a slot taken by another run is not an error.

        A run that reuses the task id of an earlier claim of the same slot (a retry after a
        failure) finds that claim still there and counts it as its own: a MongoDB error after a
        claim never loses the slot.
        """
        if not runs:
            return Claims([], {})
        documents = [run.model_dump(by_alias=True, exclude={"id", "revision_id"}) for run in runs]
        try:
            await self.collection.insert_many(documents, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(error.get("code") != DUPLICATE_KEY for error in errors):
                raise
            conflicts = [runs[error["index"]] for error in errors]
            conflicting = {error["index"] for error in errors}
            _identify(runs, documents, conflicting)
            await stats.dispatched(run for i, run in enumerate(runs) if i not in conflicting)
            return await self._resolve(runs, conflicts)
        _identify(runs, documents, set())
        await stats.dispatched(runs)
        return Claims(list(runs), {})

    async def _resolve(self, runs: Sequence[TaskRun], conflicts: list[TaskRun]) -> Claims:
        holders = await self._holders(conflicts)
        taken: dict[str, datetime | None] = {}
        for run in conflicts:
            holder = holders.get((run.periodic_task_id, run.scheduled_at))
            if holder is None or holder["task_id"] != run.task_id:
                taken[run.task_id] = None if holder is None else holder.get("dispatched_at")
            else:  # our own earlier claim: its document is the run's
                run.id = holder["_id"]
        return Claims([run for run in runs if run.task_id not in taken], taken)

    async def _holders(self, runs: list[TaskRun]) -> dict[tuple[Any, Any], dict[str, Any]]:
        query = {
            "periodic_task_id": {"$in": list({run.periodic_task_id for run in runs})},
            "scheduled_at": {"$in": list({run.scheduled_at for run in runs})},
        }
        projection = {"periodic_task_id": 1, "scheduled_at": 1, "task_id": 1, "dispatched_at": 1}
        found: dict[tuple[Any, Any], dict[str, Any]] = {}
        async for doc in self.collection.find(query, projection):
            found[(doc["periodic_task_id"], doc["scheduled_at"])] = doc
        return found

    async def release(self, task_ids: Sequence[str]) -> None:
        """Forget claims whose message could not be published (their slot may be tried again)."""
        if not task_ids:
            return
        query = self._dispatching(task_ids)
        if (day := await self._one_day(query)) is None:
            for task_id in task_ids:  # across midnight: one at a time
                found = await self.collection.find_one_and_delete(
                    self._dispatching([task_id]), projection=stats.BEFORE
                )
                await stats.released([found] if found is not None else [])
            return
        result = await self.collection.delete_many(query)
        await stats.left(day, RunStatus.DISPATCHING.value, None, result.deleted_count)

    async def mark_sent(self, task_ids: Sequence[str]) -> None:
        if not task_ids:
            return
        sent = {"$set": {"status": RunStatus.SENT.value}}
        query = self._dispatching(task_ids)
        if (day := await self._one_day(query)) is None:
            for task_id in task_ids:  # across midnight: one at a time
                before = await self.collection.find_one_and_update(
                    self._dispatching([task_id]),
                    sent,
                    projection=stats.BEFORE,
                    return_document=ReturnDocument.BEFORE,
                )
                await stats.moved(before, RunStatus.SENT.value)
            return
        result = await self.collection.update_many(query, sent)
        await stats.left(
            day, RunStatus.DISPATCHING.value, RunStatus.SENT.value, result.modified_count
        )

    @staticmethod
    def _dispatching(task_ids: Sequence[str]) -> dict[str, Any]:
        return {"task_id": {"$in": list(task_ids)}, "status": RunStatus.DISPATCHING.value}

    async def _one_day(self, query: dict[str, Any]) -> datetime | None:
        """The day the matching runs were dispatched if it is one day (a batch claimed
        together); None if none match or they span midnight.

        With one day, the counters move by the number the write changed: a run a worker moved
        on in between is not changed by the write, and its own step moved its counter.
        """
        found = self.collection.find(query, {"dispatched_at": 1})
        days = {day_of(doc["dispatched_at"]) async for doc in found}
        return days.pop() if len(days) == 1 else None


def _identify(runs: Sequence[TaskRun], documents: list[dict[str, Any]], failed: set[int]) -> None:
    """Give each run inserted the id its document got (the run history's and events' id)."""
    for index, (run, document) in enumerate(zip(runs, documents, strict=True)):
        if index not in failed and "_id" in document:
            run.id = document["_id"]


async def release(task_ids: Sequence[str]) -> None:
    await RunLedger().release(task_ids)


async def mark_sent(task_ids: Sequence[str]) -> None:
    await RunLedger().mark_sent(task_ids)


async def record_start(task_id: str, worker: str | None, started_at: datetime) -> TaskRun | None:
    """Each record returns the run as it now is (None if it is not in the ledger)."""
    return await _set(task_id, status=RunStatus.STARTED.value, started_at=started_at, worker=worker)


async def record_retry(task_id: str, reason: str) -> TaskRun | None:
    return await _update(
        task_id,
        {
            "$set": {"status": RunStatus.RETRY.value, "error": reason[:RESULT_LIMIT]},
            "$inc": {"retries": 1},
        },
    )


async def record_finish(
    task_id: str,
    *,
    success: bool,
    duration_ms: float | None,
    result: Any = None,
    error: str | None = None,
    traceback: str | None = None,
) -> TaskRun | None:
    return await _set(
        task_id,
        status=(RunStatus.SUCCESS if success else RunStatus.FAILURE).value,
        finished_at=utcnow(),
        duration_ms=duration_ms,
        result=json_safe(result) if success else None,
        error=error[:RESULT_LIMIT] if error else None,
        traceback=traceback[-TRACEBACK_LIMIT:] if traceback else None,
    )


async def _set(task_id: str, **values: Any) -> TaskRun | None:
    return await _update(task_id, {"$set": values})


async def _update(task_id: str, update: dict[str, Any]) -> TaskRun | None:
    # Read as it was (its status moves the daily counters), returned as the update made it.
    before = await TaskRun.get_pymongo_collection().find_one_and_update(
        {"task_id": task_id}, update, return_document=ReturnDocument.BEFORE
    )
    if before is None:
        return None
    await stats.moved(before, update["$set"]["status"])
    after: TaskRun = TaskRun.model_validate(_applied(before, update))
    return after


def _applied(document: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """``document`` with ``update``'s ``$set`` and ``$inc`` applied (the operators used here)."""
    after = {**document, **update.get("$set", {})}
    for name, by in update.get("$inc", {}).items():
        after[name] = after.get(name, 0) + by
    return after


def json_safe(value: Any) -> Any:
    """The result as stored: JSON values as they are (if small), anything else as its repr."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)[:RESULT_LIMIT]
    return value if len(text) <= RESULT_LIMIT else text[:RESULT_LIMIT]
