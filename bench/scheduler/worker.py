"""Async vs sync trivial tasks on one worker process: each does one Redis GET with a client
created once per process (async: on the process's persistent loop), for each pool (prefork and
solo drive the loop in the task's thread, threads hands each coroutine to a loop thread)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import redis
from celery import Celery

from atrium.config import RedisSettings, Settings
from atrium.worker.app import celery_config

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 5


def _client(redis_url: str) -> Celery:
    app = Celery("bench-client", set_as_current=False)
    config = celery_config(Settings(redis=RedisSettings(url=redis_url)))
    config["imports"] = []
    app.conf.update(config)
    return app


def _start_worker(env: dict[str, str], log: Path, pool: str) -> subprocess.Popen[bytes]:
    args = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "atrium.worker.app",
        "worker",
        f"--pool={pool}",
        "--concurrency=1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=WARNING",
    ]
    return subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def _rate(app: Celery, task: str, count: int) -> float:
    app.send_task(task, ["bench-key"]).get(timeout=60)  # warm: client opened
    started = time.perf_counter()
    results = [app.send_task(task, ["bench-key"]) for _ in range(count)]
    for result in results:
        assert result.get(timeout=120) == "v"
    return count / (time.perf_counter() - started)


@dataclass(frozen=True)
class Rates:
    pool: str
    sync: float
    async_: float
    loop_errors: int


def _best_rates(app: Celery, count: int) -> dict[str, float]:
    rates: dict[str, float] = {}
    for round_ in range(ROUNDS):  # alternate, keep the best of each
        for name in ("bench.get_sync", "bench.get_async"):
            rate = _rate(app, name, count)
            rates[name] = max(rates.get(name, 0.0), rate)
            print(f"  round {round_ + 1}: {name} {rate:.0f}/s", flush=True)
    return rates


def _loop_errors(log: Path) -> int:
    text = log.read_text(errors="replace")
    return sum(
        text.count(s) for s in ("event_loop_error", "different loop", "Event loop is closed")
    )


def run(env_base: dict[str, str], redis_url: str, count: int, log: Path, pool: str) -> Rates:
    env = {
        **env_base,
        "ATRIUM_REDIS__URL": redis_url,
        "PYTHONPATH": str(ROOT),
        "ATRIUM_DOMAINS": json.dumps(["atrium.worker", "bench.scheduler.tasks_domain"]),
    }
    store = redis.Redis.from_url(redis_url)
    store.flushdb()
    store.set("bench-key", "v")
    worker = _start_worker(env, log, pool)
    try:
        rates = _best_rates(_client(redis_url), count)
    finally:
        worker.terminate()
        worker.wait(30)
        store.flushdb()
    return Rates(pool, rates["bench.get_sync"], rates["bench.get_async"], _loop_errors(log))
