"""The run ledger's daily counters: every step moves a run from the status it had to the new one
on the day it was dispatched, a batch across midnight included, and a rebuild agrees."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from atrium.core.clock import utcnow
from atrium.core.dailycounts import day_of
from atrium.core.state import AppState
from atrium.scheduler import ledger, stats
from atrium.scheduler.documents import TaskRun


def _run(days_ago: int) -> TaskRun:
    return TaskRun(
        periodic_task_name="nightly",
        task="reports.build",
        task_id=uuid4().hex,
        dispatched_at=utcnow() - timedelta(days=days_ago),
    )


async def _counts() -> dict[tuple[int, str], int]:
    today = day_of(utcnow())
    found = await stats.runs(today - timedelta(days=5), today + timedelta(days=1))
    return {((today - t.day).days, t.key): t.count for t in found if t.count}


async def test_a_batch_across_midnight_moves_each_run_on_its_own_day(state: AppState) -> None:
    runs = [_run(1), _run(0), _run(0), _run(1)]
    await ledger.RunLedger().claim(runs)
    assert await _counts() == {(1, "dispatching"): 2, (0, "dispatching"): 2}
    await ledger.release([runs[3].task_id, runs[2].task_id])  # one of each day
    await ledger.mark_sent([run.task_id for run in runs])  # only those still claimed move
    assert await _counts() == {(1, "sent"): 1, (0, "sent"): 1}
    await ledger.record_start(runs[0].task_id, "w", utcnow())
    await ledger.record_finish(runs[0].task_id, success=True, duration_ms=1)
    expected = {(1, "success"): 1, (0, "sent"): 1}
    assert await _counts() == expected
    await stats.rebuild()
    assert await _counts() == expected


async def test_a_batch_of_one_day_moves_by_what_the_write_changed(state: AppState) -> None:
    runs = [_run(2) for _ in range(3)]
    await ledger.RunLedger().claim(runs)
    await ledger.record_start(runs[0].task_id, "w", utcnow())  # a fast worker, before "sent"
    await ledger.mark_sent([run.task_id for run in runs])
    assert await _counts() == {(2, "started"): 1, (2, "sent"): 2}
