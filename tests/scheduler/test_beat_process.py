"""Real worker and beat processes against real Redis, PostgreSQL and the MongoDB-wire server.

Each test keeps to a few seconds of wall time: 1-second intervals, a 2-second leader lease. The
processes are started and stopped in threads, and waits poll with ``asyncio.sleep``, so the API
app running in the test's event loop is never blocked.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast
from uuid import uuid4

import httpx
import pytest
import redis
from asgi_lifespan import LifespanManager
from pymongo import MongoClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from atrium.config import RedisSettings
from atrium.core import migrate
from atrium.main import create_app
from tests.scheduler.engine_helpers import closed_port
from tests.support.postgres import postgres_database
from tests.support.settings import fast_auth, settings_for
from tests.support.users import bearer, create_user, tokens
from tests.support.workers import Proc, process_env, start_beat, start_worker, wait_for_async

pytestmark = pytest.mark.slow
API = "/api/v1/scheduler"


@pytest.fixture(scope="module")
def pg_url(services: dict[str, str]) -> Iterator[str]:
    with postgres_database(services["ATRIUM_TEST_POSTGRES_URL"]) as url:
        migrate.upgrade(settings_for(services, url, "unused"))
        yield url


@pytest.fixture
def env(
    services: dict[str, str], pg_url: str, process_redis_url: str, mongo_db: str
) -> dict[str, str]:
    return process_env(
        services,
        sql_url=pg_url,
        redis_url=process_redis_url,
        mongo_db=mongo_db,
        ATRIUM_CELERY__BEAT_LEASE_SECONDS="2",
    )


@pytest.fixture
def worker(env: dict[str, str], tmp_path: Path) -> Iterator[Proc]:
    proc = start_worker(env, tmp_path / "worker.log", "solo")
    yield proc
    proc.stop()


@pytest.fixture
async def raw_sql(pg_url: str) -> AsyncIterator[Callable[..., Awaitable[None]]]:
    """Plain SQL, as ops would type it; the tables are emptied after the test."""
    engine = create_async_engine(pg_url)

    async def run(statement: str, **params: Any) -> None:
        async with engine.begin() as conn:
            await conn.execute(text(statement), params)

    yield run
    await run("DELETE FROM scheduler_periodic_task")
    await run("DELETE FROM scheduler_change")
    await engine.dispose()


@pytest.fixture
async def api(
    services: dict[str, str], pg_url: str, process_redis_url: str, mongo_db: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(services, pg_url, uuid4().hex[:12])
    settings.redis = RedisSettings(url=process_redis_url)
    settings.mongo.database = mongo_db
    settings.domains = [*settings.domains, "tests.worker.sample_domain"]
    app = create_app(fast_auth(settings))
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            root = f"root{uuid4().hex[:8]}"  # the database outlives the test
            await create_user(app.state.atrium, root, superuser=True)
            client.headers.update(bearer((await tokens(client, root))["accessToken"]))
            yield client
        await app.state.atrium.mongo.client.drop_database(mongo_db)


def records(redis_url: str) -> list[str]:
    store = redis.Redis.from_url(redis_url, decode_responses=True)
    return [json.loads(raw)["tag"] for raw in cast(list[str], store.lrange("records", 0, -1))]


def ledger(services: dict[str, str], mongo_db: str) -> list[dict[str, Any]]:
    client: MongoClient[dict[str, Any]]
    with MongoClient(services["ATRIUM_MONGO__URL"], tz_aware=True) as client:
        return list(client[mongo_db]["scheduler_task_runs"].find({}, {"_id": 0}))


async def settled_ledger(
    services: dict[str, str], mongo_db: str, within: float = 10
) -> list[dict[str, Any]]:
    """The ledger once every run has finished (or ``within`` seconds have passed)."""
    final = {"success", "failure"}
    deadline = time.monotonic() + within
    while True:
        runs = ledger(services, mongo_db)
        if all(run["status"] in final for run in runs) or time.monotonic() > deadline:
            return runs
        await asyncio.sleep(0.1)


async def add(api: httpx.AsyncClient, name: str, every: float) -> str:
    body = {
        "name": name,
        "task": "tests.record",
        "args": [name],
        "schedule": {"kind": "interval", "every": every},
    }
    response = await api.post(f"{API}/tasks", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


async def steady(redis_url: str, tag: str, seconds: float = 2.0) -> bool:
    before = records(redis_url).count(tag)
    await asyncio.sleep(seconds)
    return records(redis_url).count(tag) == before


def slots_by_beat(runs: list[dict[str, Any]]) -> list[list[datetime]]:
    """The scheduled times of the runs, in order, split where the dispatching beat changes."""
    groups: list[list[datetime]] = []
    last = None
    for run in sorted(runs, key=lambda r: r["scheduled_at"]):
        if run["dispatched_by"] != last:
            groups.append([])
            last = run["dispatched_by"]
        groups[-1].append(run["scheduled_at"])
    return groups


def assert_every_second(slots: list[datetime]) -> None:
    """A contiguous 1-second series: no slot skipped, none doubled."""
    steps = [b - a for a, b in itertools.pairwise(slots)]
    assert all(step == timedelta(seconds=1) for step in steps), steps


def assert_handover(runs: list[dict[str, Any]]) -> None:
    """The second beat starts at the first slot the first one left, and runs it once;
    otherwise each beat dispatches every second.

    A beat's first run is a late one (the task was saved before the beat was ready, or the
    other beat stopped): it runs once, keyed by its first missed slot, and the schedule goes on
    from the dispatch time (the missed-run policy), so only the step after it may be longer.
    """
    first, second = slots_by_beat(runs)
    assert_every_second(first[1:])
    assert second[0] == first[-1] + timedelta(seconds=1)
    assert_every_second(second[1:])


@pytest.mark.usefixtures("worker")
async def test_api_and_raw_sql_changes_apply_without_restart(
    api: httpx.AsyncClient,
    env: dict[str, str],
    process_redis_url: str,
    raw_sql: Any,
    services: dict[str, str],
    mongo_db: str,
    tmp_path: Path,
) -> None:
    beat = await asyncio.to_thread(start_beat, env, tmp_path / "beat.log")
    try:
        first = await add(api, "a", 1)
        await wait_for_async(lambda: records(process_redis_url).count("a") >= 2, within=6)
        second = await add(api, "b", 3600)
        await raw_sql("UPDATE scheduler_periodic_task SET interval_seconds = 1 WHERE name = 'b'")
        await wait_for_async(lambda: records(process_redis_url).count("b") >= 2, within=5)
        await api.post(f"{API}/tasks/{first}/disable")
        await asyncio.sleep(0.5)  # a message already sent may still run
        assert await steady(process_redis_url, "a")
        await api.delete(f"{API}/tasks/{second}")
        await asyncio.sleep(0.5)
        assert await steady(process_redis_url, "b")
        # A row only plain SQL could write: a task no worker has. Skipped, and said so.
        await wait_for_async(lambda: "beat_task_names_known" in beat.text(), within=30)
        await raw_sql(
            "INSERT INTO scheduler_periodic_task (name, task, kind, interval_seconds)"
            " VALUES ('ghost', 'no.such.task', 'interval', 1)"
        )
        await wait_for_async(lambda: "beat_task_skipped" in beat.text(), within=5)
    finally:
        await asyncio.to_thread(beat.stop)
    assert "no.such.task" in beat.text()
    runs = await settled_ledger(services, mongo_db)
    assert [run for run in runs if run["status"] != "success"] == []
    assert len(runs) == len(records(process_redis_url))
    assert "no.such.task" not in {run["task"] for run in runs}


@pytest.mark.usefixtures("worker")
async def test_beat_skips_rows_of_tasks_that_are_not_schedulable(
    api: httpx.AsyncClient,
    env: dict[str, str],
    process_redis_url: str,
    raw_sql: Any,
    services: dict[str, str],
    mongo_db: str,
    tmp_path: Path,
) -> None:
    beat = await asyncio.to_thread(start_beat, env, tmp_path / "beat.log")
    try:
        await wait_for_async(lambda: "beat_task_names_known" in beat.text(), within=30)
        # Registered on the workers, but never opted in: only plain SQL can write this row.
        await raw_sql(
            "INSERT INTO scheduler_periodic_task (name, task, args, kind, interval_seconds)"
            " VALUES ('sneaky', 'tests.unschedulable', '[\"sneaky\"]', 'interval', 1)"
        )
        await add(api, "fine", 1)  # a schedulable one next to it runs as usual
        await wait_for_async(lambda: records(process_redis_url).count("fine") >= 2, within=6)
        await wait_for_async(lambda: "not declared schedulable" in beat.text(), within=5)
        listed = (await api.get(f"{API}/tasks", params={"search": "sneaky"})).json()["data"]
    finally:
        await asyncio.to_thread(beat.stop)
    assert "tests.unschedulable" in beat.text()
    assert [(t["name"], t["schedulable"]) for t in listed["items"]] == [("sneaky", False)]
    assert "sneaky" not in records(process_redis_url)
    runs = await settled_ledger(services, mongo_db)
    assert "tests.unschedulable" not in {run["task"] for run in runs}


@pytest.mark.usefixtures("worker")
async def test_restarted_beat_runs_no_slot_twice(
    api: httpx.AsyncClient,
    env: dict[str, str],
    process_redis_url: str,
    raw_sql: Any,
    services: dict[str, str],
    mongo_db: str,
    tmp_path: Path,
) -> None:
    await add(api, "r", 1)
    beat = await asyncio.to_thread(start_beat, env, tmp_path / "beat1.log")
    await wait_for_async(lambda: records(process_redis_url).count("r") >= 4, within=8)
    await asyncio.to_thread(beat.stop)
    # `celery beat -S ...`, started at once: runs the slot the first beat left, once.
    beat = await asyncio.to_thread(start_beat, env, tmp_path / "beat2.log", True)
    count = records(process_redis_url).count("r")
    await wait_for_async(lambda: records(process_redis_url).count("r") >= count + 3, within=8)
    await asyncio.to_thread(beat.stop)
    runs = await settled_ledger(services, mongo_db)
    assert_handover(runs)
    assert len(runs) == len(records(process_redis_url))  # every slot executed exactly once
    assert [run for run in runs if run["status"] != "success"] == []


@pytest.mark.usefixtures("worker")
async def test_two_beats_dispatch_every_slot_exactly_once(
    api: httpx.AsyncClient,
    env: dict[str, str],
    process_redis_url: str,
    raw_sql: Any,
    services: dict[str, str],
    mongo_db: str,
    tmp_path: Path,
) -> None:
    await add(api, "two", 1)
    one = await asyncio.to_thread(start_beat, env, tmp_path / "beat1.log")
    two = await asyncio.to_thread(start_beat, env, tmp_path / "beat2.log")
    try:
        await wait_for_async(lambda: records(process_redis_url).count("two") >= 4, within=8)
        leaders = Counter(run["dispatched_by"] for run in ledger(services, mongo_db))
        assert len(leaders) == 1  # only the lease holder dispatches
        leader = one if "beat_leading" in one.text() else two
        await asyncio.to_thread(leader.stop, signal.SIGKILL)  # no release: the lease expires
        count = len(ledger(services, mongo_db))
        await wait_for_async(lambda: len(ledger(services, mongo_db)) >= count + 3, within=10)
    finally:
        await asyncio.to_thread(one.stop)
        await asyncio.to_thread(two.stop)
    runs = await settled_ledger(services, mongo_db)
    assert_handover(runs)
    assert len(records(process_redis_url)) == len(runs)


async def test_celery_beat_retries_its_start_up_until_mongodb_answers(
    env: dict[str, str], tmp_path: Path
) -> None:
    down = {
        **env,
        "ATRIUM_MONGO__URL": f"mongodb://127.0.0.1:{closed_port()}/?directConnection=true",
        "ATRIUM_MONGO__TIMEOUT_MS": "200",
    }
    beat = await asyncio.to_thread(start_beat, down, tmp_path / "beat.log", True, None)
    try:
        await wait_for_async(lambda: beat.text().count("beat_start_failed") >= 2, within=15)
        assert beat.popen.poll() is None  # still running, still retrying
    finally:
        await asyncio.to_thread(beat.stop)
    assert "Traceback" not in beat.text()
