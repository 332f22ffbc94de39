"""Driving the beat engine in-process: a fixed clock, plain SQL, stores that are down."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select, text

from atrium.config import MongoSettings, RedisSettings, SQLSettings
from atrium.core.db import Database
from atrium.core.mongo import Mongo
from atrium.core.redis import RedisClient, create_redis
from atrium.core.state import AppState
from atrium.scheduler import repository
from atrium.scheduler.documents import TaskRun
from atrium.scheduler.engine import BeatEngine
from atrium.scheduler.ledger import RunLedger
from atrium.scheduler.publisher import Message, Publisher
from atrium.scheduler.schedules import to_ms
from atrium.scheduler.tasknames import InProcess
from tests.support.celery import celery_app


class RecordingPublisher(Publisher):
    """The broker boundary only: records what beat would publish."""

    def __init__(self) -> None:
        super().__init__(celery_app())
        self.messages: list[Message] = []

    async def publish(self, messages: Sequence[Message]) -> list[bool]:
        self.messages.extend(messages)
        return [True] * len(messages)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.ms = to_ms(at)

    def __call__(self) -> int:
        return self.ms

    def advance(self, **delta: float) -> None:
        self.ms += int(timedelta(**delta).total_seconds() * 1000)


def engine_for(
    state: AppState, clock: Clock, prefix: str = ""
) -> tuple[BeatEngine, RecordingPublisher]:
    publisher = RecordingPublisher()
    settings = state.settings
    if prefix:
        settings = settings.model_copy(
            update={"redis": RedisSettings(url=settings.redis.url, key_prefix=prefix)}
        )
    names = InProcess(publisher.app)  # this process imports the task modules anyway
    engine = BeatEngine(settings, state.db, state.redis, publisher, clock=clock, task_names=names)
    return engine, publisher


class Engines:
    """Engines on the test's stores, closed (connection, lease, tasks) when the test ends."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.made: list[BeatEngine] = []

    def __call__(self, clock: Clock, prefix: str = "") -> tuple[BeatEngine, RecordingPublisher]:
        engine, publisher = engine_for(self.state, clock, prefix)
        self.made.append(engine)
        return engine, publisher

    async def close(self) -> None:
        for engine in self.made:
            await engine.close()


async def step(engine: BeatEngine) -> None:
    """One deterministic pass (no background lease keeper): load, changes, lease, dispatch."""
    if not engine.loaded:
        await engine.load()
    await engine.apply_changes()
    if not engine.lease.held:
        await engine.refresh_lease()
    await engine.dispatch_due()
    await engine.flush_runs()


async def run_ticks(engine: BeatEngine, seconds: float) -> list[float]:
    """Tick as ``atrium beat`` does (sleeping what tick() asks) for ``seconds``."""
    sleeps: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        delay = await asyncio.wait_for(engine.tick(), timeout=15)
        sleeps.append(delay)
        await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
    return sleeps


async def sql(state: AppState, statement: str, **params: Any) -> Any:
    async with state.db.session() as session:
        return await session.execute(text(statement), params)


def db_time(state: AppState, value: datetime) -> datetime:
    """A datetime as a plain SQL parameter (SQLite stores naive UTC)."""
    return value.replace(tzinfo=None) if state.db.engine.dialect.name == "sqlite" else value


async def insert_interval(state: AppState, name: str, every: float, changed: datetime) -> None:
    await sql(
        state,
        "INSERT INTO scheduler_periodic_task"
        " (name, task, kind, interval_seconds, schedule_changed_at)"
        " VALUES (:name, 'scheduler.ping', 'interval', :every, :changed)",
        name=name,
        every=every,
        changed=db_time(state, changed),
    )


async def task_id(state: AppState, name: str) -> UUID:
    async with state.db.session() as session:
        query = select(repository.TASKS.c.id).where(repository.TASKS.c.name == name)
        found: UUID = (await session.execute(query)).scalar_one()
        return found


async def ledger_slots(name: str) -> list[datetime]:
    runs = await TaskRun.find(TaskRun.periodic_task_name == name).sort("scheduled_at").to_list()
    return [run.scheduled_at for run in runs if run.scheduled_at is not None]


def events(caplog: pytest.LogCaptureFixture, name: str) -> int:
    """How many structlog events called ``name`` were logged."""
    return sum(
        1
        for record in caplog.records
        if isinstance(record.msg, dict) and record.msg.get("event") == name
    )


def closed_port() -> int:
    """A local port nothing listens on (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DownStores:
    """Real clients of stores that are down: connections to a port nobody listens on."""

    def __init__(self) -> None:
        port = closed_port()
        self.db = Database(SQLSettings(url=f"postgresql+asyncpg://atrium@127.0.0.1:{port}/down"))
        self.redis: RedisClient = create_redis(RedisSettings(url=f"redis://127.0.0.1:{port}/0"))
        self.mongo = Mongo(
            MongoSettings(url=f"mongodb://127.0.0.1:{port}/?directConnection=true", timeout_ms=200)
        )
        self.ledger = RunLedger(self.mongo.database[TaskRun.Settings.name])

    async def close(self) -> None:
        await self.redis.aclose()
        await self.mongo.close()
        await self.db.dispose()


def capture_engine_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="atrium.scheduler")
