"""Starting beat: a start-up that fails leaves nothing open behind it (it is retried forever)."""

from __future__ import annotations

import asyncio

import pytest
from pymongo.errors import ServerSelectionTimeoutError

from atrium.config import MongoSettings
from atrium.scheduler.beat import open_beat
from tests.scheduler.engine_helpers import closed_port
from tests.support.celery import celery_app
from tests.support.settings import settings_for


async def test_a_failed_start_up_closes_its_clients(services: dict[str, str]) -> None:
    settings = settings_for(services, "sqlite+aiosqlite:///unused.db", "unused")
    url = f"mongodb://127.0.0.1:{closed_port()}/?directConnection=true"
    settings.mongo = MongoSettings(url=url, timeout_ms=100)
    before = len(asyncio.all_tasks())
    failures = []
    for _ in range(3):  # what open_beat_retrying does while MongoDB is down
        with pytest.raises(ServerSelectionTimeoutError) as failed:
            await open_beat(settings, celery_app())
        failures.append(failed.value)  # as a log handler or an error report may keep it
    await asyncio.sleep(0.2)
    assert len(asyncio.all_tasks()) == before  # no client (and its monitor tasks) left open
    assert len(failures) == 3
