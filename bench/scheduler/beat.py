"""Beat at 1k, 10k and 100k periodic tasks: load, idle tick, one-row change, save-to-dispatch, RSS.

Runs the engine `atrium beat` runs, in this process, against a fresh PostgreSQL database, real
Redis (lease, broker) and the MongoDB-wire server (ledger). Nothing is due during the idle
measurements (intervals of hours, crontabs at one time of day); saves that make one task due
now measure save-to-dispatch (raw SQL, and the ORM path the API and CLI use).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from celery import Celery
from sqlalchemy import insert, text

from atrium.config import MongoSettings, RedisSettings, Settings, SQLSettings
from atrium.core import migrate
from atrium.core.worker.app import create_celery
from atrium.scheduler import repository
from atrium.scheduler.beat import Beat, open_beat
from atrium.scheduler.publisher import Message, Publisher

# Built for the bench's own settings by migrate_db, before any run.
celery_app: Celery | None = None


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class TimedPublisher(Publisher):
    """Real publishes; remembers when each task's message went out."""

    def __init__(self) -> None:
        assert celery_app is not None
        super().__init__(celery_app)
        self.sent_at: dict[str, float] = {}

    async def publish(self, messages: Sequence[Message]) -> list[bool]:
        result = await super().publish(messages)
        now = time.perf_counter()
        for message, ok in zip(messages, result, strict=True):
            if ok:
                self.sent_at[message.kwargs.get("mark", message.task_id)] = now
        return result


@dataclass
class Result:
    size: int
    kind: str
    insert_s: float
    load_s: float
    idle_tick_ms: tuple[float, float]
    change_ms: tuple[float, float]
    sql_dispatch_ms: tuple[float, float]
    orm_dispatch_ms: tuple[float, float]
    rss_mb: float


def _rows(size: int, kind: str) -> list[dict[str, Any]]:
    rng = random.Random(size)
    rows = []
    for i in range(size):
        row: dict[str, Any] = {
            "id": uuid4(),
            "name": f"bench-{i}",
            "task": "scheduler.ping",
            "kind": kind,
            "args": [],
            "kwargs": {},
            "headers": {},
        }
        if kind == "interval":
            row["interval_seconds"] = float(rng.choice([3600, 7200, 21600, 43200, 86400]))
        else:
            hour = (datetime.now(UTC).hour + 12) % 24  # far from now: nothing due meanwhile
            row.update(
                crontab_minute=str(rng.randrange(60)),
                crontab_hour=str(hour),
                crontab_day_of_week="*",
                crontab_day_of_month="*",
                crontab_month_of_year="*",
                timezone=rng.choice(["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo"]),
            )
        rows.append(row)
    return rows


async def _insert(beat: Beat, rows: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    table = repository.TASKS
    for start in range(0, len(rows), 5000):
        async with beat.db.session() as session:
            await session.execute(insert(table), rows[start : start + 5000])
    return time.perf_counter() - started


def _p(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def _idle_ticks(beat: Beat, count: int = 300) -> tuple[float, float]:
    engine = beat.engine
    samples = []
    for _ in range(count):
        engine._next_poll = 0.0  # worst case: every tick polls the change log
        started = time.perf_counter()
        await engine.tick()
        samples.append((time.perf_counter() - started) * 1000)
    return _p(samples)


async def _one_row_changes(beat: Beat, count: int = 30) -> tuple[float, float]:
    samples = []
    for i in range(count):
        async with beat.db.session() as session:
            await session.execute(
                text("UPDATE scheduler_periodic_task SET description = :d WHERE name = :n"),
                {"d": f"edit {i}", "n": f"bench-{i}"},
            )
        started = time.perf_counter()
        changed = await beat.engine.apply_changes()
        samples.append((time.perf_counter() - started) * 1000)
        assert changed == 1
    return _p(samples)


async def _save_to_dispatch(
    beat: Beat, publisher: TimedPublisher, orm: bool
) -> tuple[float, float]:
    engine = beat.engine
    stop = asyncio.Event()

    async def loop() -> None:
        while not stop.is_set():
            delay = await engine.tick()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)

    runner = asyncio.create_task(loop())
    samples = []
    rng = random.Random(7)
    for i in range(10):
        await asyncio.sleep(rng.uniform(0, 0.3))  # saves land anywhere in the poll period
        mark = f"{'orm' if orm else 'sql'}-{i}"
        saved = await _make_due(beat, f"bench-{100 + i + (20 if orm else 0)}", mark, orm)
        deadline = time.perf_counter() + 5
        while mark not in publisher.sent_at and time.perf_counter() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        samples.append((publisher.sent_at.get(mark, float("inf")) - saved) * 1000)
    stop.set()
    await runner
    return _p(samples)


async def _make_due(beat: Beat, name: str, mark: str, orm: bool) -> float:
    """Turn a task into a clocked run at 'now' (with a marker kwarg); return the commit time."""
    async with beat.db.session() as session:
        if orm:
            task = await repository.get_by_name(session, name)
            assert task is not None
            task.kind, task.clocked_at, task.kwargs = "clocked", datetime.now(UTC), {"mark": mark}
        else:
            await session.execute(
                text(
                    "UPDATE scheduler_periodic_task SET kind = 'clocked', clocked_at = :at,"
                    " kwargs = :kw WHERE name = :n"
                ),
                {"at": datetime.now(UTC), "kw": f'{{"mark": "{mark}"}}', "n": name},
            )
    return time.perf_counter()


async def run_one(base: Settings, size: int, kind: str) -> Result:
    rows = _rows(size, kind)
    assert celery_app is not None
    beat = await open_beat(base, celery_app)
    publisher = TimedPublisher()
    beat.engine.publisher = publisher
    try:
        insert_s = await _insert(beat, rows)
        del rows
        gc.collect()
        rss = await asyncio.to_thread(beat_process_rss, base)
        started = time.perf_counter()
        assert await beat.engine.load()
        load_s = time.perf_counter() - started
        await beat.engine.refresh_lease()
        idle = await _idle_ticks(beat)
        change = await _one_row_changes(beat)
        sql_dispatch = await _save_to_dispatch(beat, publisher, orm=False)
        orm_dispatch = await _save_to_dispatch(beat, publisher, orm=True)
    finally:
        async with beat.db.session() as session:
            await session.execute(text("DELETE FROM scheduler_periodic_task"))
            await session.execute(text("DELETE FROM scheduler_change"))
        await beat.mongo.client.drop_database(base.mongo.database)
        await beat.redis.flushdb()
        await beat.close()
    return Result(size, kind, insert_s, load_s, idle, change, sql_dispatch, orm_dispatch, rss)


def beat_process_rss(settings: Settings) -> float:
    """RSS of a real `atrium beat` process once it has loaded every task."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATRIUM_")}
    env.update(
        ATRIUM_SQL__URL=settings.sql.url,
        ATRIUM_REDIS__URL=settings.redis.url,
        ATRIUM_REDIS__KEY_PREFIX="rss-probe:",  # its own lease: it leads, loads twice at most
        ATRIUM_MONGO__URL=settings.mongo.url,
        ATRIUM_MONGO__DATABASE=settings.mongo.database,
        ATRIUM_LOGGING__JSON_OUTPUT="true",
        ATRIUM_DOMAINS=json.dumps(
            ["atrium.users", "atrium.auth", "atrium.rbac", "atrium.scheduler"]
        ),
    )
    code = "from atrium.scheduler.beat import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "beat_leading" in line:
                break
        time.sleep(2)
        status = Path(f"/proc/{proc.pid}/status").read_text()
        return int(status.split("VmRSS:")[1].split()[0]) / 1024
    finally:
        proc.terminate()
        proc.wait(30)


def settings_for(pg_url: str, redis_url: str, mongo_url: str) -> Settings:
    return Settings(
        sql=SQLSettings(url=pg_url, pool_size=3),
        redis=RedisSettings(url=redis_url),
        mongo=MongoSettings(url=mongo_url, database=f"bench_{uuid4().hex[:8]}"),
    )


def migrate_db(settings: Settings) -> None:
    migrate.upgrade(settings)
    global celery_app
    celery_app = create_celery(settings)
