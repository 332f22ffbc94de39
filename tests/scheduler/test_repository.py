"""Beat's run-state writes beside concurrent configuration edits (PostgreSQL's locks)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from atrium.core.state import AppState
from atrium.scheduler import repository
from tests.scheduler.engine_helpers import insert_interval, sql, task_id


async def test_disabling_finished_one_offs_never_deadlocks_with_an_edit(state: AppState) -> None:
    """An edit holds the change-log lock and then touches the row beat is writing: beat must
    not be holding that row while it waits for the lock (PostgreSQL would abort one of them)."""
    if state.db.engine.dialect.name != "postgresql":
        pytest.skip("the change-log lock and row locks are PostgreSQL's")
    t0 = datetime.now(UTC)
    await insert_interval(state, "finished", 1, t0)
    await insert_interval(state, "edited", 1, t0)
    finished, edited = await task_id(state, "finished"), await task_id(state, "edited")
    edit = "UPDATE scheduler_periodic_task SET interval_seconds = 2 WHERE id = :id"
    run = {"b_id": finished, "b_last": t0, "b_next": t0 + timedelta(seconds=1), "b_inc": 1}

    async def write_run_state() -> None:
        async with state.db.session() as session:
            await repository.limit_waits(session)
            await repository.record_runs(session, [{**run, "disable": True}])

    editor = await state.db.engine.connect()
    try:
        await editor.execute(text(edit), {"id": edited})  # holds the change-log lock now
        writer = asyncio.create_task(write_run_state())
        await asyncio.sleep(0.3)  # beat's write is waiting for that lock
        await editor.execute(text(edit), {"id": finished})
        await editor.commit()
        await asyncio.wait_for(writer, timeout=10)
    finally:
        await editor.rollback()
        await editor.close()
    row = (
        await sql(
            state,
            "SELECT enabled, total_run_count, interval_seconds FROM scheduler_periodic_task"
            " WHERE id = :id",
            id=finished,
        )
    ).one()
    assert (row.enabled, row.total_run_count, row.interval_seconds) == (False, 1, 2)
