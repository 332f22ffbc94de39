"""Beat through outages: SQL, MongoDB and Redis down (real clients of a closed port).

Each outage must be retried with a back-off (no busy loop: tick() asks for a real sleep and the
attempts stay few), must not lose a slot, and beat must resume on its own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import text

from atrium.config import RedisSettings
from atrium.core.logging import configure_logging
from atrium.core.redis import create_redis
from atrium.core.state import AppState
from atrium.scheduler.documents import RunStatus, TaskRun
from atrium.scheduler.engine import BeatEngine
from atrium.scheduler.publisher import Message
from atrium.scheduler.schedules import from_ms, to_ms
from tests.scheduler.engine_helpers import (
    Clock,
    DownStores,
    Engines,
    RecordingPublisher,
    events,
    insert_interval,
    ledger_slots,
    run_ticks,
    sql,
    step,
)
from tests.support.settings import settings_for


@pytest.fixture
def logging_on(services: dict[str, str]) -> None:
    """Logging as the app configures it (before pytest starts capturing the test's records)."""
    settings = settings_for(services, "sqlite+aiosqlite:///unused.db", "unused")
    configure_logging(settings.logging, settings.environment)


@pytest.fixture
async def down() -> AsyncIterator[DownStores]:
    stores = DownStores()
    yield stores
    await stores.close()


async def tick_until(engine: BeatEngine, done: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "beat did not resume"
        await asyncio.sleep(min(await engine.tick(), 0.2))


@pytest.mark.usefixtures("logging_on")
async def test_no_database_at_start_up_is_retried_with_a_back_off(
    services: dict[str, str], down: DownStores, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(services, "sqlite+aiosqlite:///unused.db", uuid4().hex[:12])
    settings.redis = RedisSettings(url=services["ATRIUM_REDIS__URL"], key_prefix=f"t{uuid4()}:")
    redis = create_redis(settings.redis)
    engine = BeatEngine(settings, down.db, redis, RecordingPublisher())
    try:
        sleeps = await run_ticks(engine, 1.6)
    finally:
        await engine.close()
        await redis.aclose()
    assert not engine.loaded
    assert min(sleeps) > 0.05  # no busy loop while the database is down
    assert len(sleeps) <= 6
    assert 2 <= events(caplog, "beat_load_failed") <= 4  # 0.5 s, 1 s, 2 s, ... apart


async def test_a_database_outage_backs_off_then_beat_resumes(
    state: AppState, engines: Engines, down: DownStores, caplog: pytest.LogCaptureFixture
) -> None:
    t0 = datetime.now(UTC)
    await insert_interval(state, "job", 3600, t0)
    engine, _ = engines(Clock(t0))
    await step(engine)
    try:
        engine.db = down.db
        sleeps = await run_ticks(engine, 1.6)
        assert min(sleeps) > 0.05
        assert len(sleeps) <= 8
        assert 2 <= events(caplog, "beat_changes_failed") <= 4
        engine.db = state.db
        await sql(state, "UPDATE scheduler_periodic_task SET interval_seconds = 60")
        entry = next(iter(engine.entries.values()))
        await tick_until(engine, lambda: next(iter(engine.entries.values())) is not entry, 12)
    finally:
        await engine.close()


async def test_a_mongodb_outage_backs_off_and_loses_no_slot(
    state: AppState, engines: Engines, down: DownStores, caplog: pytest.LogCaptureFixture
) -> None:
    t0 = datetime.now(UTC)
    await insert_interval(state, "due", 5, t0)
    engine, publisher = engines(Clock(t0 + timedelta(seconds=5, milliseconds=10)))
    live = engine.dispatcher.ledger
    engine.dispatcher.ledger = down.ledger
    try:
        sleeps = await run_ticks(engine, 1.6)
        assert engine.leading
        assert publisher.messages == []
        # The slot is overdue, but its dispatch backs off: ticks follow the change poll (a
        # tick right after a 0.2 s claim attempt may find that poll due at once).
        assert len(sleeps) <= 10
        assert sum(1 for delay in sleeps if delay < 0.05) <= 3
        assert 1 <= events(caplog, "beat_dispatch_failed") <= 3
        engine.dispatcher.ledger = live
        await tick_until(engine, lambda: bool(publisher.messages), 12)
    finally:
        await engine.close()
    assert len(publisher.messages) == 1
    assert await ledger_slots("due") == [from_ms(to_ms(t0) + 5000)]


class FailsOnce(RecordingPublisher):
    """The broker refuses the first batch, and MongoDB goes down at that moment."""

    def __init__(self, on_failure: Callable[[], None]) -> None:
        super().__init__()
        self.on_failure = on_failure
        self.failed = False

    async def publish(self, messages: Sequence[Message]) -> list[bool]:
        if not self.failed:
            self.failed = True
            self.on_failure()
            return [False] * len(messages)
        return await super().publish(messages)


async def test_a_mongodb_error_after_a_claim_does_not_lose_the_slot(
    state: AppState, engines: Engines, down: DownStores
) -> None:
    t0 = datetime.now(UTC)
    await insert_interval(state, "claimed", 5, t0)
    engine, _ = engines(Clock(t0 + timedelta(seconds=5, milliseconds=10)))
    live = engine.dispatcher.ledger

    def mongo_goes_down() -> None:
        engine.dispatcher.ledger = down.ledger  # the claim is in; withdrawing it will fail

    publisher = FailsOnce(mongo_goes_down)
    engine.publisher = publisher
    await step(engine)
    assert publisher.failed
    assert publisher.messages == []
    engine.dispatcher.ledger = live  # MongoDB is back: the retry finds its own claim
    await step(engine)
    runs = await TaskRun.find(TaskRun.periodic_task_name == "claimed").to_list()
    assert [m.task_id for m in publisher.messages] == [run.task_id for run in runs]
    assert [run.status for run in runs] == [RunStatus.SENT]
    await engine.close()


async def test_a_redis_outage_stops_dispatching_until_it_returns(
    state: AppState, engines: Engines, down: DownStores, caplog: pytest.LogCaptureFixture
) -> None:
    t0 = datetime.now(UTC)
    await insert_interval(state, "r", 1, t0)
    engine, publisher = engines(Clock(t0 + timedelta(seconds=3)))
    live = engine.lease.redis
    engine.lease.redis = down.redis
    try:
        sleeps = await run_ticks(engine, 1.2)
        assert not engine.leading
        assert publisher.messages == []
        assert min(sleeps) > 0.05
        assert 2 <= events(caplog, "beat_lease_unavailable") <= 3
        engine.lease.redis = live
        await tick_until(engine, lambda: bool(publisher.messages), 12)
    finally:
        await engine.close()
    assert engine.dispatched == 1


async def test_a_leader_that_loses_its_lease_stops_dispatching(
    state: AppState, engines: Engines, caplog: pytest.LogCaptureFixture
) -> None:
    t0 = datetime.now(UTC)
    await insert_interval(state, "lease", 1, t0)
    clock = Clock(t0)
    engine, publisher = engines(clock)
    engine.lease.ttl_ms = 2000  # renewed every 0.67 s
    try:
        await tick_until(engine, lambda: engine.leading, 5)
        await state.redis.set(engine.lease.key, "another-beat", px=10_000)  # it took over
        await tick_until(engine, lambda: not engine.leading, 3)
        clock.advance(seconds=5)
        await run_ticks(engine, 0.5)
    finally:
        await engine.close()
    assert publisher.messages == []
    assert not engine.lease.held
    assert events(caplog, "beat_lost_lease") == 1
    assert await state.redis.get(engine.lease.key) == "another-beat"  # not released by us


async def test_a_slow_reload_never_delays_the_lease(state: AppState, engines: Engines) -> None:
    if state.db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL can hold a read back with a lock")
    t0 = datetime.now(UTC)
    await insert_interval(state, "slow", 3600, t0)
    engine, _ = engines(Clock(t0))
    engine.lease.ttl_ms = 2000  # trusted for 1.6 s, renewed every 0.67 s
    await tick_until(engine, lambda: engine.leading, 5)
    blocker = await state.db.engine.connect()
    try:
        await blocker.execute(text("LOCK TABLE scheduler_periodic_task IN ACCESS EXCLUSIVE MODE"))
        engine.loaded = False  # a full reload, as after a long outage
        reload = asyncio.create_task(engine.tick())
        held = []
        for _ in range(30):  # 3 s: longer than the lease is trusted
            await asyncio.sleep(0.1)
            held.append(engine.lease.held)
        assert not reload.done()  # the reload still waits for the table
        assert all(held)  # meanwhile the lease was renewed
    finally:
        await blocker.rollback()
        await blocker.close()
    await asyncio.wait_for(reload, timeout=5)
    assert engine.loaded


async def test_a_closed_beat_never_renews_its_lease_again(
    state: AppState, engines: Engines
) -> None:
    t0 = datetime.now(UTC)
    engine, _ = engines(Clock(t0))
    engine.lease.ttl_ms = 2000  # renewed every 0.67 s
    await tick_until(engine, lambda: engine.leading, 5)
    ticking = asyncio.create_task(run_ticks(engine, 3))  # a tick may still run during close
    await asyncio.sleep(0.3)
    await asyncio.wait_for(engine.close(), timeout=5)
    await state.redis.delete(engine.lease.key)
    await asyncio.sleep(1.5)  # two renewal periods
    assert await state.redis.get(engine.lease.key) is None
    ticking.cancel()
