"""The beat engine in-process, fixed clock, SQLite and PostgreSQL, real Redis and MongoDB."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from atrium.config import StaticPeriodicTask
from atrium.core.state import AppState
from atrium.scheduler import static
from atrium.scheduler.schedules import from_ms
from tests.scheduler.engine_helpers import (
    Clock,
    Engines,
    db_time,
    events,
    insert_interval,
    ledger_slots,
    sql,
    step,
    task_id,
)

NY = ZoneInfo("America/New_York")


async def test_a_raw_sql_update_is_applied_alone_without_reload(
    state: AppState, engines: Engines
) -> None:
    t0 = datetime.now(UTC)  # the trigger stamps the change with the database's clock
    for i in range(3):
        await insert_interval(state, f"job{i}", 3600, t0)
    clock = Clock(t0 + timedelta(seconds=1))
    engine, publisher = engines(clock)
    await step(engine)
    assert len(engine.entries) == 3
    assert not publisher.messages
    await sql(state, "UPDATE scheduler_periodic_task SET interval_seconds = 5 WHERE name = 'job1'")
    assert await engine.apply_changes() == 1  # one row re-read, not all
    await sql(
        state, "UPDATE scheduler_periodic_task SET total_run_count = 9"
    )  # run state: no change
    assert await engine.apply_changes() == 0
    clock.advance(seconds=10)
    await step(engine)
    assert [m.args for m in publisher.messages] == [[]]
    assert await ledger_slots("job1") != []


async def test_crontab_across_fall_back_with_a_fixed_clock(
    state: AppState, engines: Engines
) -> None:
    start = datetime(2026, 11, 1, 0, 50, tzinfo=NY)
    await sql(
        state,
        "INSERT INTO scheduler_periodic_task (name, task, kind, crontab_minute, crontab_hour,"
        " crontab_day_of_week, crontab_day_of_month, crontab_month_of_year, timezone,"
        " schedule_changed_at) VALUES ('dst', 'scheduler.ping', 'crontab', '*/30', '*', '*', '*',"
        " '*', 'America/New_York', :changed)",
        changed=start.astimezone(UTC).replace(tzinfo=None)
        if state.db.engine.dialect.name == "sqlite"
        else start,
    )
    clock = Clock(start)
    engine, publisher = engines(clock)
    for _ in range(40):  # 00:50 EDT .. 03:05 EST (3h15 of real time) in 5-minute steps
        await step(engine)
        clock.advance(minutes=5)
    fired = [s.astimezone(NY).isoformat() for s in await ledger_slots("dst")]
    assert fired == [
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:30:00-04:00",
        "2026-11-01T01:00:00-05:00",
        "2026-11-01T01:30:00-05:00",
        "2026-11-01T02:00:00-05:00",
        "2026-11-01T02:30:00-05:00",
        "2026-11-01T03:00:00-05:00",
    ]
    assert len(publisher.messages) == 7


async def test_a_restarted_beat_never_dispatches_a_slot_twice(
    state: AppState, engines: Engines
) -> None:
    t0 = datetime(2026, 6, 1, 12, tzinfo=UTC)
    await insert_interval(state, "every10", 10, t0)
    clock = Clock(t0 + timedelta(seconds=10, milliseconds=5))
    first, first_published = engines(clock)
    await step(first)
    assert len(first_published.messages) == 1
    # Even with its run state lost, a new beat finds the slot taken in the ledger.
    await sql(state, "UPDATE scheduler_periodic_task SET last_run_at = NULL")
    second, second_published = engines(clock)
    await first.close()
    await step(second)
    assert second_published.messages == []
    assert second.duplicates == 1
    # The slot it found taken still moves its run state on (not its run count).
    row = (
        await sql(state, "SELECT last_run_at, total_run_count FROM scheduler_periodic_task")
    ).one()
    assert row.last_run_at is not None
    assert row.total_run_count == 1
    clock.advance(seconds=10)
    await step(second)
    assert len(second_published.messages) == 1
    assert await ledger_slots("every10") == [t0 + timedelta(seconds=10), t0 + timedelta(seconds=20)]


async def test_two_beats_that_both_lead_dispatch_each_slot_once(
    state: AppState, engines: Engines
) -> None:
    t0 = datetime(2026, 6, 1, 12, tzinfo=UTC)
    for i in range(20):
        await insert_interval(state, f"split{i}", 1, t0)
    clock = Clock(t0)
    one, one_published = engines(clock, prefix="beat-one:")
    two, two_published = engines(clock, prefix="beat-two:")
    for _ in range(5):
        clock.advance(seconds=1)
        await step(one)
        await step(two)
    assert one.lease.held
    assert two.lease.held
    total = len(one_published.messages) + len(two_published.messages)
    assert total == 20 * 5
    for i in range(20):
        assert len(await ledger_slots(f"split{i}")) == 5


async def test_one_off_runs_once_then_is_disabled(state: AppState, engines: Engines) -> None:
    t0 = datetime(2026, 6, 1, 12, tzinfo=UTC)
    await insert_interval(state, "once", 5, t0)
    await sql(state, "UPDATE scheduler_periodic_task SET one_off = :yes", yes=True)
    clock = Clock(t0 + timedelta(seconds=30))
    engine, publisher = engines(clock)
    for _ in range(3):
        await step(engine)
        clock.advance(seconds=10)
    assert len(publisher.messages) == 1
    row = (await sql(state, "SELECT enabled, total_run_count FROM scheduler_periodic_task")).one()
    assert not row.enabled
    assert row.total_run_count == 1


async def test_static_schedule_is_merged_by_name(state: AppState, engines: Engines) -> None:
    entries = {
        "cleanup": StaticPeriodicTask(task="scheduler.ping", every=60),
        "nightly": StaticPeriodicTask(
            task="scheduler.ping", crontab="0 3 * * 7", timezone="Europe/Paris"
        ),
    }
    async with state.db.session() as session:
        assert await static.merge_static(session, entries) == 2
    async with state.db.session() as session:
        assert await static.merge_static(session, entries) == 0  # unchanged: nothing written
    changes = (await sql(state, "SELECT count(*) FROM scheduler_change")).scalar_one()
    assert changes == 2
    clock = Clock(datetime(2026, 6, 1, 12, tzinfo=UTC))
    engine, _ = engines(clock)
    await engine.load()
    nightly = [e for e in engine.entries.values() if e.next_ms and from_ms(e.next_ms).minute == 0]
    assert nightly
    assert from_ms(nightly[0].next_ms or 0).astimezone(ZoneInfo("Europe/Paris")).weekday() == 6


async def test_raw_sql_insert_and_delete_are_applied_through_the_change_log(
    state: AppState,
    engines: Engines,
) -> None:
    t0 = datetime.now(UTC)
    clock = Clock(t0)
    engine, publisher = engines(clock)
    await step(engine)
    assert engine.entries == {}
    await insert_interval(state, "added", 5, t0)
    assert await engine.apply_changes() == 1
    clock.advance(seconds=5, milliseconds=10)
    await step(engine)
    assert len(publisher.messages) == 1
    await sql(state, "DELETE FROM scheduler_periodic_task WHERE name = 'added'")
    assert await engine.apply_changes() == 1
    assert engine.entries == {}
    clock.advance(seconds=30)
    await step(engine)
    assert len(publisher.messages) == 1


SOLAR_NOON = (
    "INSERT INTO scheduler_periodic_task (name, task, kind, solar_event, solar_latitude,"
    " solar_longitude, schedule_changed_at) VALUES ('noon', 'scheduler.ping', 'solar',"
    " 'solar_noon', 48.85, 2.35, :changed)"
)
CRONTAB = (
    "INSERT INTO scheduler_periodic_task (name, task, kind, crontab_minute, crontab_hour,"
    " crontab_day_of_week, crontab_day_of_month, crontab_month_of_year, timezone, start_at,"
    " schedule_changed_at) VALUES (:name, 'scheduler.ping', 'crontab', '0', '*', '*', '*', '*',"
    " :zone, :start, :changed)"
)


async def _unusable_rows(state: AppState, t0: datetime) -> None:
    far = datetime(9999, 12, 31, tzinfo=UTC)
    for name, zone, start in (("far", "UTC", far), ("mars", "Mars/Base", None)):
        start_at = None if start is None else db_time(state, start)
        await sql(state, CRONTAB, name=name, zone=zone, start=start_at, changed=db_time(state, t0))


async def test_rows_beat_cannot_use_never_stop_it(
    state: AppState, engines: Engines, caplog: pytest.LogCaptureFixture
) -> None:
    t0 = datetime.now(UTC)
    await sql(state, SOLAR_NOON, changed=db_time(state, t0))
    await _unusable_rows(state, t0)
    clock = Clock(t0)
    engine, publisher = engines(clock)
    await step(engine)  # loading them
    assert engine.loaded
    noon = engine.entries[await task_id(state, "noon")].next_ms
    assert noon is not None
    assert noon % 1000 == 0  # whole seconds: every beat computes the same slot
    at = from_ms(noon)
    assert time(11, 20) < at.time() < time(12, 10)  # noon at 2.35° E, UTC
    await sql(state, "UPDATE scheduler_periodic_task SET description = 'edited'")
    assert await engine.apply_changes() == 3  # the same rows through the change log
    clock.ms = noon + 1000
    await step(engine)
    assert [m.task for m in publisher.messages] == ["scheduler.ping"]
    assert events(caplog, "beat_invalid_schedule") == 2  # Mars/Base: at load and at change


async def test_reserved_headers_and_unknown_tasks_are_skipped(
    state: AppState, engines: Engines, caplog: pytest.LogCaptureFixture
) -> None:
    t0 = datetime.now(UTC)
    for name in ("good", "hijack", "unknown"):
        await insert_interval(state, name, 5, t0)
    await sql(
        state,
        "UPDATE scheduler_periodic_task SET headers = :h, schedule_changed_at = :t"
        " WHERE name = 'hijack'",
        h='{"task": "other.task", "trace": "kept"}',
        t=db_time(state, t0),
    )
    await sql(
        state, "UPDATE scheduler_periodic_task SET task = 'no.such.task' WHERE name = 'unknown'"
    )
    clock = Clock(t0 + timedelta(seconds=5, milliseconds=10))
    engine, publisher = engines(clock)
    await step(engine)
    assert [m.args for m in publisher.messages] == [[]]
    assert [m.task for m in publisher.messages] == ["scheduler.ping"]
    assert events(caplog, "beat_task_skipped") == 2
    await sql(state, "UPDATE scheduler_periodic_task SET headers = '{}' WHERE name = 'hijack'")
    await engine.apply_changes()
    clock.advance(seconds=5)
    await step(engine)
    assert len(publisher.messages) == 3  # good twice, hijack (fixed) once
    assert all("task" not in m.options["headers"] for m in publisher.messages)


async def test_an_open_transaction_on_another_row_does_not_stop_dispatching(
    state: AppState,
    engines: Engines,
) -> None:
    t0 = datetime.now(UTC)
    await insert_interval(state, "busy", 1, t0)
    await insert_interval(state, "other", 3600, t0)
    clock = Clock(t0)
    engine, publisher = engines(clock)
    await step(engine)
    blocker = await state.db.engine.connect()
    try:
        await blocker.execute(
            text("UPDATE scheduler_periodic_task SET description = 'editing' WHERE name = 'other'")
        )  # left open: an ops session in the middle of an edit
        for _ in range(3):
            clock.advance(seconds=1)
            await asyncio.wait_for(engine.tick(), timeout=5)
        assert len(publisher.messages) == 3
        if state.db.engine.dialect.name == "postgresql":  # SQLite has one writer at a time
            await asyncio.wait_for(engine.flush_runs(), timeout=5)
            row = (
                await sql(
                    state, "SELECT total_run_count FROM scheduler_periodic_task WHERE name = 'busy'"
                )
            ).one()
            assert row.total_run_count == 3  # run state written while the edit is open
    finally:
        await blocker.rollback()
        await blocker.close()
        await engine.close()


async def test_a_locked_row_delays_its_run_state_not_dispatching(
    state: AppState, engines: Engines, caplog: pytest.LogCaptureFixture
) -> None:
    if state.db.engine.dialect.name != "postgresql":
        pytest.skip("row locks and lock_timeout are PostgreSQL's")
    t0 = datetime.now(UTC)
    await insert_interval(state, "locked", 1, t0)
    clock = Clock(t0)
    engine, publisher = engines(clock)
    await step(engine)
    blocker = await state.db.engine.connect()
    try:
        await blocker.execute(
            text("SELECT id FROM scheduler_periodic_task WHERE name = 'locked' FOR UPDATE")
        )
        for _ in range(2):
            clock.advance(seconds=1)
            await asyncio.wait_for(engine.tick(), timeout=5)
        for _ in range(100):  # the background write gives up at beat's lock_timeout
            if events(caplog, "beat_run_state_failed"):
                break
            await asyncio.sleep(0.05)
        assert events(caplog, "beat_run_state_failed") == 1
        clock.advance(seconds=1)
        await asyncio.wait_for(engine.tick(), timeout=5)
        assert len(publisher.messages) == 3
    finally:
        await blocker.rollback()
        await blocker.close()
    await engine.flush_runs()
    await engine.close()
    row = (await sql(state, "SELECT total_run_count FROM scheduler_periodic_task")).one()
    assert row.total_run_count == 3  # written once the lock was gone


async def test_re_enabling_a_clocked_task_after_its_time_does_not_fire_it(
    state: AppState, engines: Engines
) -> None:
    passed = datetime.now(UTC) - timedelta(minutes=1)
    await sql(
        state,
        "INSERT INTO scheduler_periodic_task (name, task, kind, clocked_at, enabled,"
        " schedule_changed_at) VALUES ('missed', 'scheduler.ping', 'clocked', :at, :no, :changed)",
        at=db_time(state, passed),
        no=False,
        changed=db_time(state, passed - timedelta(hours=1)),
    )
    clock = Clock(datetime.now(UTC) + timedelta(seconds=1))
    engine, publisher = engines(clock)
    await step(engine)
    await sql(state, "UPDATE scheduler_periodic_task SET enabled = :yes", yes=True)
    assert await engine.apply_changes() == 1
    clock.advance(seconds=30)
    await step(engine)
    assert publisher.messages == []  # its time passed while it was disabled: expired
    await sql(
        state,
        "UPDATE scheduler_periodic_task SET clocked_at = :at",
        at=db_time(state, datetime.now(UTC) + timedelta(seconds=10)),
    )
    await engine.apply_changes()
    clock.advance(seconds=30)
    await step(engine)
    assert len(publisher.messages) == 1  # a new time in the future: fires once
