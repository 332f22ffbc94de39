"""Run figures for the dashboard: runs per status, by the UTC day they were dispatched.

The ledger keeps per-day counters as it writes: a claimed run adds one to ``dispatching``, and
each recorded step (sent, started, retry, success, failure) moves one from the status the run
had (read atomically with the step) to the new one; a released claim takes its one back. The
ledger stays the record; ``rebuild`` recomputes the counters from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from atrium.core.dailycounts import Change, DailyCounters, DayTotal, totals_by_day
from atrium.scheduler.documents import RunDay, TaskRun

RUN_DAYS = DailyCounters(RunDay)
# What a step reads of the run it changes (atomically, with the change).
BEFORE = {"status": 1, "dispatched_at": 1}


async def dispatched(runs: Iterable[TaskRun]) -> None:
    """New runs in the ledger: one more ``dispatching`` each."""
    await RUN_DAYS.add_quietly(Change(run.dispatched_at, run.status.value) for run in runs)


async def moved(before: Mapping[str, Any] | None, status: str) -> None:
    """A run (as it was before a step: its status and dispatch time) now has ``status``."""
    if before is None or before.get("status") == status or "dispatched_at" not in before:
        return
    at = before["dispatched_at"]
    await RUN_DAYS.add_quietly([Change(at, before["status"], -1), Change(at, status)])


async def released(runs: Iterable[Mapping[str, Any]]) -> None:
    """Claims forgotten (their message never went out): each takes back its ``dispatching``."""
    await RUN_DAYS.add_quietly(Change(run["dispatched_at"], run["status"], -1) for run in runs)


async def left(day: datetime | None, status: str, now: str | None, count: int) -> None:
    """``count`` runs of one day left ``status`` (for ``now``; None: forgotten) in one write."""
    if day is None or not count:
        return
    changes = [Change(day, status, -count)]
    if now is not None:
        changes.append(Change(day, now, count))
    await RUN_DAYS.add_quietly(changes)


async def runs(start: datetime, end: datetime) -> list[DayTotal]:
    """Runs per day of dispatch and status."""
    return await RUN_DAYS.read(start, end)


async def rebuild() -> int:
    """Recompute the counters from the ledger; the number of counters stored."""
    return await RUN_DAYS.replace(await totals_by_day(TaskRun, "dispatched_at", "$status"))
