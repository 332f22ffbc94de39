"""Real worker and beat processes for tests: started with the test settings in env vars, on a
Redis database of their own.

The suite's other tests flush Redis database 0 after each test, so worker and beat processes (their
broker, results and records) use another database, claimed for the whole test session: two test
sessions on one Redis server (two engineers, two CI jobs) never share or flush each other's.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import redis
from celery import Celery

from tests.support import ROOT
from tests.support.settings import MONGO_TIMEOUT_MS

CLAIM_KEY = "atrium-test:session-claim"
CLAIM_SECONDS = 6 * 3600
# 12 is the files tests' process database, 13 and 14 the scheduler benchmark's.
CANDIDATES = range(11, 0, -1)
DOMAINS = [
    "atrium.health",
    "atrium.users",
    "atrium.auth",
    "atrium.rbac",
    "atrium.scheduler",
    "tests.worker.sample_domain",
]


def _empty_but_claim(client: redis.Redis) -> None:
    stale = [name for name in client.scan_iter(count=1000) if name != CLAIM_KEY.encode()]
    if stale:
        client.delete(*stale)


@contextmanager
def claimed_redis_db(redis_url: str) -> Iterator[str]:
    """A Redis database URL on ``redis_url``'s server claimed by this process (``SET NX`` of a
    claim key), emptied and released on exit."""
    base = redis_url.rsplit("/", 1)[0]
    me = f"{os.getpid()}:{uuid4().hex}"
    for db in CANDIDATES:
        client = redis.Redis.from_url(f"{base}/{db}")
        if client.set(CLAIM_KEY, me, nx=True, ex=CLAIM_SECONDS):
            try:
                yield f"{base}/{db}"
            finally:
                _empty_but_claim(client)
                if client.get(CLAIM_KEY) == me.encode():
                    client.delete(CLAIM_KEY)
                client.close()
            return
        client.close()
    pytest.fail("every candidate Redis database is claimed by another test session")


@contextmanager
def emptied(claimed_url: str) -> Iterator[str]:
    """The claimed database, emptied before and after the block (its claim kept)."""
    client = redis.Redis.from_url(claimed_url)
    _empty_but_claim(client)
    try:
        yield claimed_url
    finally:
        _empty_but_claim(client)
        client.close()


def process_env(
    services: dict[str, str], *, sql_url: str, redis_url: str, mongo_db: str, **extra: str
) -> dict[str, str]:
    """The environment of a worker or beat: the test's stores, nothing from a local .env."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATRIUM_")}
    env.update(
        ATRIUM_ENVIRONMENT="testing",
        ATRIUM_ENV_FILE="",
        ATRIUM_SQL__URL=sql_url,
        ATRIUM_SQL__POOL_SIZE="3",
        ATRIUM_REDIS__URL=redis_url,
        ATRIUM_MONGO__URL=services["ATRIUM_MONGO__URL"],
        ATRIUM_MONGO__DATABASE=mongo_db,
        ATRIUM_MONGO__TIMEOUT_MS=str(MONGO_TIMEOUT_MS),
        ATRIUM_STORAGE__ENDPOINT=services["ATRIUM_STORAGE__ENDPOINT"],
        ATRIUM_STORAGE__ACCESS_KEY=services.get("ATRIUM_STORAGE__ACCESS_KEY", "atrium"),
        ATRIUM_STORAGE__SECRET_KEY=services.get("ATRIUM_STORAGE__SECRET_KEY", "atrium-test"),
        ATRIUM_STORAGE__BUCKET=f"t-{mongo_db.replace('_', '-')}",
        ATRIUM_DOMAINS=json.dumps(DOMAINS),
        ATRIUM_LOGGING__LEVEL="INFO",
        ATRIUM_LOGGING__JSON_OUTPUT="true",
        ATRIUM_CELERY__BEAT_CHANGE_POLL_SECONDS="0.2",
        ATRIUM_CELERY__BEAT_MAX_LOOP_INTERVAL="0.5",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


class Proc:
    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._file = log.open("wb")
        self.popen = subprocess.Popen(
            [sys.executable, *args], env=env, cwd=ROOT, stdout=self._file, stderr=subprocess.STDOUT
        )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, needle: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} not seen; log:\n{self.text()[-4000:]}")
            time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self._file.close()


def client_app(redis_url: str) -> Celery:
    """A Celery app that only sends (to the workers' broker) and reads results."""
    from atrium.config import RedisSettings, Settings
    from atrium.core.worker.app import celery_config

    app = Celery("tests-client", set_as_current=False)
    config = celery_config(Settings(redis=RedisSettings(url=redis_url)))
    config["imports"] = []
    app.conf.update(config)
    return app


def start_worker(env: dict[str, str], log: Path, pool: str = "solo", concurrency: int = 1) -> Proc:
    args = ["-m", "celery", "-A", "atrium.core.worker.celery", "worker", f"--pool={pool}"]
    args += [f"--concurrency={concurrency}", "--without-gossip", "--without-mingle"]
    args += ["--without-heartbeat", "--loglevel=INFO", f"--hostname=w{os.getpid()}@%h"]
    proc = Proc(args, env, log)
    proc.wait_for(" ready.")
    return proc


def start_beat(
    env: dict[str, str], log: Path, celery_cli: bool = False, ready: str | None = "beat_loaded"
) -> Proc:
    if celery_cli:
        args = ["-m", "celery", "-A", "atrium.core.worker.celery", "beat", "--loglevel=INFO"]
        args += ["-S", "atrium.scheduler.beat:DatabaseScheduler"]
    else:
        args = ["-c", "from atrium.scheduler.beat import main; main()"]  # what `atrium beat` runs
    proc = Proc(args, env, log)
    if ready is not None:
        proc.wait_for(ready)
    return proc


async def wait_for_async(check: Callable[[], Any], within: float = 10, every: float = 0.1) -> Any:
    """``wait_until`` for async tests: polls without blocking the event loop."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s (last: {value!r})")
        await asyncio.sleep(every)


def wait_until(check: Callable[[], Any], timeout: float = 10, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last: {value!r})")
        time.sleep(every)
