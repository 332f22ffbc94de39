"""Worker signals write the run ledger in the background: MongoDB down never slows a task."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.scheduler.engine_helpers import closed_port
from tests.support.workers import client_app, process_env, start_worker, wait_until

pytestmark = pytest.mark.slow


def test_ledger_writes_never_hold_up_tasks_when_mongodb_is_down(
    services: dict[str, str], process_redis_url: str, mongo_db: str, tmp_path: Path
) -> None:
    env = process_env(
        services,
        sql_url="sqlite+aiosqlite:///" + str(tmp_path / "w.db"),
        redis_url=process_redis_url,
        mongo_db=mongo_db,
        ATRIUM_MONGO__URL=f"mongodb://127.0.0.1:{closed_port()}/?directConnection=true",
        ATRIUM_MONGO__TIMEOUT_MS="5000",
    )
    worker = start_worker(env, tmp_path / "worker.log", "solo")
    app = client_app(process_redis_url)
    try:
        started = time.monotonic()
        headers = {"atrium_ledger": "1"}  # as beat and "run now" send them
        results = [app.send_task("scheduler.ping", ["hi"], headers=headers) for _ in range(3)]
        assert [result.get(timeout=30) for result in results] == ["hi", "hi", "hi"]
        assert time.monotonic() - started < 4  # not 5 s per ledger write
        wait_until(lambda: "ledger_write_failed" in worker.text(), timeout=15)
    finally:
        worker.stop()
