"""Async tasks in real worker processes: one persistent loop per process, on every pool."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import pytest
import redis
from celery.result import AsyncResult

from tests.support.workers import client_app, process_env, start_worker, wait_until

pytestmark = pytest.mark.slow


# Celery's threads pool with the Redis transport stalls ~10 s once its prefetched messages are
# done, for sync and async tasks alike (seen with 50 ms sync tasks): stay within one prefetch.
@pytest.mark.parametrize(
    ("pool", "concurrency", "count"), [("prefork", 2, 40), ("threads", 4, 8), ("solo", 1, 40)]
)
def test_async_tasks_share_one_loop_and_client_per_process(
    pool: str,
    concurrency: int,
    count: int,
    services: dict[str, str],
    process_redis_url: str,
    mongo_db: str,
    tmp_path: Path,
) -> None:
    env = process_env(
        services,
        sql_url="sqlite+aiosqlite:///" + str(tmp_path / "w.db"),
        redis_url=process_redis_url,
        mongo_db=mongo_db,
    )
    worker = start_worker(env, tmp_path / "worker.log", pool, concurrency)
    app = client_app(process_redis_url)
    store = redis.Redis.from_url(process_redis_url, decode_responses=True)
    try:
        store.set("greeting", "hello")
        gets = [app.send_task("tests.redis_get", ["greeting"]) for _ in range(count)]
        records = [app.send_task("tests.record", [f"r{i}"]) for i in range(count // 2)]
        assert [r.get(timeout=20) for r in gets] == ["hello"] * count
        assert sorted(r.get(timeout=20) for r in records) == sorted(
            f"r{i}" for i in range(count // 2)
        )
    finally:
        worker.stop()
    entries = [json.loads(raw) for raw in cast(list[str], store.lrange("records", 0, -1))]
    loops_per_pid: dict[int, set[int]] = {}
    for entry in entries:
        loops_per_pid.setdefault(entry["pid"], set()).add(entry["loop"])
    assert all(len(loops) == 1 for loops in loops_per_pid.values())  # one persistent loop
    assert all(entry["errors"] == 0 for entry in entries)
    # Prefork and solo run each coroutine on the task's own (main) thread, threads on the loop's.
    driver, thread = ("thread", "atrium-loop") if pool == "threads" else ("caller", "MainThread")
    assert {(entry["driver"], entry["thread"]) for entry in entries} == {(driver, thread)}
    assert "different loop" not in worker.text()
    assert "Event loop is closed" not in worker.text()


def test_retries_time_limits_errors_and_eta_behave_as_celery(
    services: dict[str, str], process_redis_url: str, mongo_db: str, tmp_path: Path
) -> None:
    env = process_env(
        services,
        sql_url="sqlite+aiosqlite:///" + str(tmp_path / "w.db"),
        redis_url=process_redis_url,
        mongo_db=mongo_db,
    )
    worker = start_worker(env, tmp_path / "worker.log", "prefork", 2)
    app = client_app(process_redis_url)
    store = redis.Redis.from_url(process_redis_url, decode_responses=True)
    try:
        assert app.send_task("tests.flaky", ["attempts", 2]).get(timeout=20) == 3
        assert app.send_task("tests.request_id", task_id="fixed-id").get(timeout=20) == "fixed-id"
        with pytest.raises(ValueError, match="boom on purpose"):
            app.send_task("tests.boom").get(timeout=20)
        limited = app.send_task("tests.sleepy", ["sleep-note", 5])
        with pytest.raises(Exception, match="SoftTimeLimitExceeded"):
            limited.get(timeout=20, propagate=True)
        assert wait_until(lambda: store.get("sleep-note") == "cancelled", timeout=5)
        # An aware eta in another timezone runs at that instant, not hours off.
        eta = datetime.now(ZoneInfo("America/New_York")) + timedelta(seconds=1.5)
        result: AsyncResult[str] = app.send_task("tests.record", ["eta"], eta=eta)
        assert result.get(timeout=20) == "eta"
        done = result.date_done
        assert isinstance(done, datetime)
        done = done if done.tzinfo else done.replace(tzinfo=UTC)
        assert timedelta(0) <= done - eta < timedelta(seconds=5)
    finally:
        worker.stop()
