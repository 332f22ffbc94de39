"""Fixtures for the files domain: its app settings and its stores without SQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest

from atrium.config import (
    Environment,
    LoggingSettings,
    MongoSettings,
    RedisSettings,
    Settings,
    SQLSettings,
)
from atrium.core.state import AppState, open_state
from atrium.files.documents import DOCUMENTS
from tests.support.forms import SMALL_LIMIT
from tests.support.s3 import PART, empty_bucket, storage_settings
from tests.support.settings import fast_auth


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The app with the files domain, cheap password hashing and a small upload limit."""
    if "atrium.files" not in settings.domains:
        settings.domains = [*settings.domains, "atrium.files"]
    settings.storage = settings.storage.model_copy(
        update={"max_upload_bytes": SMALL_LIMIT, "upload_part_size": PART}
    )
    return fast_auth(settings)


@pytest.fixture
async def files_state(services: dict[str, str], tmp_path: Path) -> AsyncIterator[AppState]:
    """MongoDB (a fresh database) and S3 (a fresh bucket) for service-level tests.

    These tests touch no SQL, so they run once rather than once per SQL backend.
    """
    suffix = uuid4().hex[:12]
    settings = Settings(
        environment=Environment.TESTING,
        sql=SQLSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}"),
        mongo=MongoSettings(url=services["ATRIUM_MONGO__URL"], database=f"f_{suffix}"),
        redis=RedisSettings(url=services["ATRIUM_REDIS__URL"]),
        storage=storage_settings(services, bucket=f"f-{suffix}", max_upload_bytes=SMALL_LIMIT),
        logging=LoggingSettings(level="WARNING", access_log=False),
    )
    state = await open_state(settings, DOCUMENTS)
    try:
        yield state
    finally:
        await state.mongo.client.drop_database(settings.mongo.database)
        await empty_bucket(state.storage)
        await asyncio.to_thread(state.storage.client.remove_bucket, state.storage.bucket)
        state.storage.close()
        await state.close()
