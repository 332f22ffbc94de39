"""Running beat: ``atrium beat`` (async-native), or ``celery beat -S ...DatabaseScheduler``.

``celery -A atrium.core.worker.celery beat`` (the scheduler sets ``beat_scheduler``) runs the same
loop as ``atrium beat`` (start-up retries, lease keeper, background run-state writes) on an event
loop in a thread of Celery's beat process; Celery's own ``tick()`` only watches that thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import structlog
from celery import Celery, beat, schedules

from atrium.config import Settings, StaticPeriodicTask, get_settings
from atrium.core.backoff import Backoff
from atrium.core.db import Database
from atrium.core.mongo import Mongo
from atrium.core.redis import RedisClient
from atrium.core.state import AppState, open_state
from atrium.scheduler import repository, static
from atrium.scheduler.dispatch import STORE_RETRY
from atrium.scheduler.documents import DOCUMENTS
from atrium.scheduler.engine import BeatEngine
from atrium.scheduler.live import RunEvents
from atrium.scheduler.publisher import Publisher

log = structlog.get_logger(__name__)


@dataclass
class Beat:
    """The engine and the stores it owns (SQL, Redis, MongoDB: beat needs no object storage)."""

    engine: BeatEngine
    state: AppState
    publisher: Publisher
    closed: bool = field(default=False)

    @property
    def db(self) -> Database:
        return self.state.db

    @property
    def redis(self) -> RedisClient:
        return self.state.redis

    @property
    def mongo(self) -> Mongo:
        return self.state.mongo

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        await self.engine.close()
        await asyncio.to_thread(self.publisher.close)
        if self.engine.dispatcher.events is not None:
            await self.engine.dispatcher.events.close()
        await self.state.close()


def static_schedule(settings: Settings, app: Celery) -> dict[str, StaticPeriodicTask]:
    """The domains' beat entries, replaced by name by the settings' ``beat_schedule``, plus
    Celery's own ``app.conf.beat_schedule`` entries."""
    from atrium.core.domain import load_domains

    entries = {**load_domains(settings).beat_entries(), **settings.celery.beat_schedule}
    for name, conf in (app.conf.beat_schedule or {}).items():
        converted = _from_celery(conf)
        if converted is None:
            log.warning("static_task_unsupported", name=name)
        else:
            entries.setdefault(name, converted)
    return entries


def _from_celery(conf: dict[str, Any]) -> StaticPeriodicTask | None:
    every: Any = conf.get("schedule")
    common: dict[str, Any] = {
        "task": conf["task"],
        "args": list(conf.get("args", ())),
        "kwargs": dict(conf.get("kwargs", {})),
    }
    if isinstance(every, schedules.crontab):
        names = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
        fields = [str(getattr(every, f"_orig_{name}")) for name in names]
        return StaticPeriodicTask(crontab=" ".join(fields), **common)
    if isinstance(every, schedules.schedule):
        every = getattr(every, "run_every", None)
    if isinstance(every, timedelta):
        every = every.total_seconds()
    if isinstance(every, int | float):
        return StaticPeriodicTask(every=float(every), **common)
    return None


async def open_beat(settings: Settings, app: Celery) -> Beat:
    """Open the stores and the engine (closing the stores again if MongoDB does not answer)."""
    state = await open_state(settings, DOCUMENTS, storage=False)
    publisher = Publisher(app)
    engine = BeatEngine(
        settings, state.db, state.redis, publisher, owns_process=True, events=RunEvents.of(state)
    )
    await merge_static_schedule(settings, app, state.db)
    return Beat(engine, state, publisher=publisher)


async def merge_static_schedule(settings: Settings, app: Celery, db: Database) -> None:
    try:
        async with db.session() as session:
            await repository.limit_waits(session)
            written = await static.merge_static(session, static_schedule(settings, app))
        log.info("beat_static_schedule_merged", written=written)
    except Exception as exc:
        log.warning("beat_static_schedule_failed", error=repr(exc))


async def open_beat_retrying(settings: Settings, app: Celery, stop: asyncio.Event) -> Beat | None:
    backoff = Backoff(STORE_RETRY)
    while not stop.is_set():
        try:
            return await open_beat(settings, app)
        except Exception as exc:
            delay = backoff.failed()
            log.warning("beat_start_failed", error=repr(exc), retry_in=delay)
            await _wait(stop, delay)
    return None


async def run_beat(settings: Settings, app: Celery, stop: asyncio.Event) -> None:
    """Tick until ``stop`` is set, then release the lease and close."""
    opened = await open_beat_retrying(settings, app, stop)
    if opened is None:
        return
    log.info("beat_started", beat=opened.engine.identity)
    try:
        while not stop.is_set():
            await _wait(stop, await _tick(opened.engine))
    finally:
        await opened.close()
        log.info("beat_stopped", beat=opened.engine.identity)


async def _tick(engine: BeatEngine) -> float:
    try:
        return await engine.tick()
    except Exception:  # a bug must not stop beat: log it and go on
        log.exception("beat_tick_failed")
        return engine.settings.celery.beat_max_loop_interval


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def main(settings: Settings | None = None) -> None:
    """``atrium beat``: run until SIGINT or SIGTERM."""
    from atrium.core.worker.app import create_celery

    settings = settings or get_settings()
    celery_app = create_celery(settings)

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_beat(settings, celery_app, stop)

    asyncio.run(serve())


class DatabaseScheduler(beat.Scheduler):
    """Celery's ``beat -S`` entry point: runs ``run_beat`` on its own loop in a thread."""

    def __init__(self, app: Celery, *args: Any, **kwargs: Any) -> None:
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        super().__init__(app, *args, **kwargs)

    def setup_schedule(self) -> None:
        self._start()

    def _start(self) -> None:
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(ready,), name="atrium-beat", daemon=True
        )
        self._thread.start()
        ready.wait()

    def _serve(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()

        async def serve() -> None:
            self._loop, self._stop = loop, asyncio.Event()
            ready.set()
            await run_beat(get_settings(), self.app, self._stop)

        try:
            loop.run_until_complete(serve())
        finally:
            ready.set()
            loop.close()

    def install_default_entries(self, data: Any) -> None:
        pass  # the database is the schedule

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if self._thread is None or not self._thread.is_alive():
            log.error("beat_thread_stopped")  # run_beat only returns when told to stop
            self._start()
        return float(self.max_interval or 1.0)

    def should_sync(self) -> bool:
        return False

    def sync(self) -> None:
        pass

    def close(self) -> None:
        loop, stop, thread = self._loop, self._stop, self._thread
        if loop is not None and stop is not None and thread is not None and thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop already closed
                loop.call_soon_threadsafe(stop.set)
            thread.join(60)

    @property
    def info(self) -> str:
        return "    . db -> atrium scheduler (SQL, trigger-fed change log)"
