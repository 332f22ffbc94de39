"""Emptying what one app wrote: SQL rows, its MongoDB database, Redis and its bucket."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete
from sqlmodel import SQLModel

from atrium.audit.runtime import AUDIT
from atrium.core.state import AppState
from atrium.dashboard.runtime import DASHBOARD
from atrium.models import import_table_models


async def clean(state: AppState) -> None:
    """Delete every SQL row (the schema stays), drop the MongoDB database, flush Redis and
    remove the bucket with its objects."""
    import_table_models(state.settings)
    async with state.db.session() as session:
        for table in reversed(SQLModel.metadata.sorted_tables):
            await session.execute(delete(table))
    if (audit := state.find(AUDIT)) is not None:
        await audit.writer.stop()  # or its last entries would bring the dropped database back
    if (dashboard := state.find(DASHBOARD)) is not None:
        await dashboard.rollups.stop()  # or its last flush would bring the dropped database back
    await state.mongo.client.drop_database(state.settings.mongo.database)
    await state.redis.flushdb()
    for key in await state.storage.list_keys():
        await state.storage.remove(key)
    await asyncio.to_thread(state.storage.client.remove_bucket, state.storage.bucket)
