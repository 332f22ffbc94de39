"""A reminder through a real worker and a real beat (``calendar.send_reminders``, every minute):
delivered once, also when beat is stopped before the reminder's time and started again after it
(the look-back finds it). SQLite only: each run waits for a beat slot (up to a minute); the
ledger's claim on PostgreSQL is covered by ``test_reminders``."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from atrium.config import Settings
from atrium.core.clock import utcnow
from atrium.notifications.documents import Notification
from tests.support.workers import (
    DOMAINS,
    Proc,
    client_app,
    process_env,
    start_beat,
    start_worker,
)
from tests.support.workspace import MakeUser

from .helpers import create_event

PROCESS_DOMAINS = [*DOMAINS, "atrium.realtime", "atrium.notifications", "atrium.calendar"]


def _env(services: dict[str, str], settings: Settings, redis_url: str) -> dict[str, str]:
    return process_env(
        services,
        sql_url=settings.sql.url,
        redis_url=redis_url,
        mongo_db=settings.mongo.database,
        ATRIUM_DOMAINS=json.dumps(PROCESS_DOMAINS),
    )


async def _count() -> int:
    return await Notification.find({"type": "calendar.reminder"}).count()


async def _until_reminded(within: float) -> int:
    for _ in range(int(within * 2)):
        if found := await _count():
            return found
        await asyncio.sleep(0.5)
    return await _count()


async def test_a_reminder_arrives_once_across_a_beat_restart(
    client: httpx.AsyncClient,
    member: MakeUser,
    settings: Settings,
    services: dict[str, str],
    process_redis_url: str,
    tmp_path: Path,
) -> None:
    if not settings.sql.url.startswith("sqlite"):
        pytest.skip("one backend is enough for a minute-long process test")
    alice = await member("alice")
    start = (utcnow() + timedelta(seconds=80)).replace(microsecond=0, tzinfo=None)
    times = {"start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat()}
    await create_event(client, alice, tz="UTC", reminders=[1], **times)  # due in 20 s
    due = time.monotonic() + 20
    env = _env(services, settings, process_redis_url)
    worker = await asyncio.to_thread(start_worker, env, tmp_path / "worker.log")
    beats: list[Proc] = []
    try:
        beats.append(await asyncio.to_thread(start_beat, env, tmp_path / "beat1.log"))
        await asyncio.sleep(max(0.0, due - 10 - time.monotonic()))
        await asyncio.to_thread(beats[0].stop)  # down before the reminder's time...
        await asyncio.sleep(max(0.0, due + 5 - time.monotonic()))
        assert await _count() == 0
        # ...and back after it: its next slot's run still finds the reminder.
        beats.append(await asyncio.to_thread(start_beat, env, tmp_path / "beat2.log"))
        assert await _until_reminded(within=90) == 1
        again = client_app(process_redis_url).send_task("calendar.send_reminders")
        assert await asyncio.to_thread(again.get, timeout=30) == 0
    finally:
        for proc in (*beats, worker):
            await asyncio.to_thread(proc.stop)
    assert await _count() == 1
    stored = await Notification.find_one({"type": "calendar.reminder"})
    assert stored is not None
    assert stored.recipient_id == alice.id
