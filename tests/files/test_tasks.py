"""The periodic cleanup as a Celery task: registered, scheduled, and run by a real worker."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
import redis
from celery import Celery
from pydantic import SecretStr

from atrium.config import MongoSettings, RedisSettings, Settings, StorageSettings
from atrium.core.clock import utcnow
from atrium.core.domain import load_domains
from atrium.core.state import open_state
from atrium.core.worker.app import celery_config, registered_task_names
from atrium.files.documents import DOCUMENTS, FileObject
from atrium.files.service import new_file
from atrium.scheduler.static import static_values
from tests.support.celery import celery_app
from tests.support.s3 import empty_bucket
from tests.support.workers import DOMAINS, process_env, start_worker

# The suite flushes Redis database 0 after each test and the worker tests use 11.
PROCESS_REDIS_DB = 12
OWNER = uuid4()


def test_cleanup_is_registered_and_on_the_default_beat_schedule() -> None:
    assert "files.cleanup" in registered_task_names(celery_app())
    entry = load_domains(Settings(_env_file=None)).beat_entries()["files.cleanup"]
    assert entry.task == "files.cleanup"
    assert static_values(entry)["interval_seconds"] == 3600


@pytest.fixture
def redis_url(services: dict[str, str]) -> Iterator[str]:
    url = services["ATRIUM_REDIS__URL"].rsplit("/", 1)[0] + f"/{PROCESS_REDIS_DB}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


@pytest.mark.slow
async def test_a_worker_removes_an_abandoned_upload(
    services: dict[str, str], redis_url: str, tmp_path: Path
) -> None:
    mongo_db = f"tf_{uuid4().hex[:10]}"
    env = process_env(
        services,
        sql_url=f"sqlite+aiosqlite:///{tmp_path / 'w.db'}",
        redis_url=redis_url,
        mongo_db=mongo_db,
        ATRIUM_DOMAINS=json.dumps([*DOMAINS, "atrium.files"]),
    )
    state = await open_state(_settings_from(env), DOCUMENTS)
    try:
        abandoned = new_file(OWNER, "lost.bin", "text/plain")
        abandoned.created_at = utcnow() - timedelta(days=2)
        await abandoned.insert()
        await state.storage.put(abandoned.key, io.BytesIO(b"lost"), 4, "text/plain")
        kept = new_file(OWNER, "fresh.bin", "text/plain")
        await kept.insert()

        report = await asyncio.to_thread(_run_in_worker, env, redis_url, tmp_path)

        assert report == {"abandoned_uploads": 1, "aborted_multiparts": 0, "orphaned_objects": 0}
        assert [doc.id for doc in await FileObject.find_all().to_list()] == [kept.id]
        assert await state.storage.list_keys() == []
    finally:
        await state.mongo.client.drop_database(mongo_db)
        await empty_bucket(state.storage)
        await asyncio.to_thread(state.storage.client.remove_bucket, state.storage.bucket)
        await state.close()


def _settings_from(env: dict[str, str]) -> Settings:
    """The same stores the worker process gets from ``env``."""
    return Settings(
        _env_file=None,
        redis=RedisSettings(url=env["ATRIUM_REDIS__URL"]),
        mongo=MongoSettings(url=env["ATRIUM_MONGO__URL"], database=env["ATRIUM_MONGO__DATABASE"]),
        storage=StorageSettings(
            endpoint=env["ATRIUM_STORAGE__ENDPOINT"],
            access_key=env["ATRIUM_STORAGE__ACCESS_KEY"],
            secret_key=SecretStr(env["ATRIUM_STORAGE__SECRET_KEY"]),
            bucket=env["ATRIUM_STORAGE__BUCKET"],
        ),
    )


def _run_in_worker(env: dict[str, str], redis_url: str, tmp_path: Path) -> object:
    worker = start_worker(env, tmp_path / "worker.log")
    client = Celery("tests-files-client", set_as_current=False)
    config = celery_config(Settings(_env_file=None, redis=RedisSettings(url=redis_url)))
    client.conf.update({**config, "imports": []})
    try:
        return client.send_task("files.cleanup").get(timeout=30)
    finally:
        worker.stop()
