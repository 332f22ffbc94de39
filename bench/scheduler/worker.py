"""Async vs sync trivial tasks on one worker process: each does one Redis GET with a client
created once per process (async: on the process's persistent loop), for each pool (prefork and
solo drive the loop in the task's thread, threads hands each coroutine to a loop thread)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import redis
from celery import Celery

from atrium.config import RedisSettings, Settings
from atrium.core.worker.app import celery_config

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
        "atrium.core.worker.celery",
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


SYNC, ASYNC = "bench.get_sync", "bench.get_async"
BLOCK = 200  # tasks per block; the two kinds alternate block by block


def _block(app: Celery, task: str, count: int) -> float:
    """Seconds to send ``count`` tasks and collect every result."""
    started = time.perf_counter()
    results = [app.send_task(task, ["bench-key"]) for _ in range(count)]
    for result in results:
        assert result.get(timeout=120) == "v"
    return time.perf_counter() - started


def _round(app: Celery, count: int) -> dict[str, float]:
    """Rates of one round: ``count`` tasks of each kind, interleaved in blocks, so that the
    machine's slow and fast moments fall on both kinds alike."""
    elapsed = {SYNC: 0.0, ASYNC: 0.0}
    for block in range(max(1, count // BLOCK)):
        order = (SYNC, ASYNC) if block % 2 == 0 else (ASYNC, SYNC)
        for name in order:
            elapsed[name] += _block(app, name, BLOCK)
    done = max(1, count // BLOCK) * BLOCK
    return {name: done / seconds for name, seconds in elapsed.items()}


@dataclass(frozen=True)
class Rates:
    pool: str
    sync: float
    async_: float
    ratios: list[float]
    loop_errors: int

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


def _rounds(app: Celery, count: int) -> list[dict[str, float]]:
    for name in (SYNC, ASYNC):
        app.send_task(name, ["bench-key"]).get(timeout=60)  # warm: the clients are open
    rounds = []
    for index in range(ROUNDS):
        rates = _round(app, count)
        rounds.append(rates)
        ratio = rates[ASYNC] / rates[SYNC]
        print(
            f"  round {index + 1}: sync {rates[SYNC]:.0f}/s, async {rates[ASYNC]:.0f}/s, "
            f"{ratio:.2f}",
            flush=True,
        )
    return rounds


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
        "ATRIUM_DOMAINS": json.dumps(["bench.scheduler.tasks_domain"]),
    }
    store = redis.Redis.from_url(redis_url)
    store.flushdb()
    store.set("bench-key", "v")
    worker = _start_worker(env, log, pool)
    try:
        rounds = _rounds(_client(redis_url), count)
    finally:
        worker.terminate()
        worker.wait(30)
        store.flushdb()
    ratios = [r[ASYNC] / r[SYNC] for r in rounds]
    middle = sorted(rounds, key=lambda r: r[ASYNC] / r[SYNC])[len(rounds) // 2]
    return Rates(pool, middle[SYNC], middle[ASYNC], ratios, _loop_errors(log))
