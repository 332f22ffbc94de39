"""Migrating an empty database yields exactly the models' schema (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from atrium.config import Settings
from atrium.core.db import NAMING_CONVENTION, Database
from atrium.core.migrate import alembic_config
from atrium.models import import_table_models


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "render_as_batch": True}
    )
    return list(compare_metadata(context, SQLModel.metadata))


async def test_migrated_schema_equals_the_models(settings: Settings) -> None:
    import_table_models(settings)
    db = Database(settings.sql)
    try:
        async with db.engine.connect() as connection:
            diff = await connection.run_sync(_diff)
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await db.dispose()
    assert diff == []
    assert {table.name for table in SQLModel.metadata.sorted_tables} <= tables


async def test_every_head_is_applied(settings: Settings) -> None:
    script = ScriptDirectory.from_config(alembic_config(settings))
    db = Database(settings.sql)
    try:
        async with db.engine.connect() as connection:
            current = await connection.run_sync(
                lambda c: set(MigrationContext.configure(c).get_current_heads())
            )
    finally:
        await db.dispose()
    # A head another branch depends on leaves the version table once the dependant is applied,
    # so compare what is reachable from the recorded heads.
    applied = {
        revision.revision
        for revision in script.revision_map.iterate_revisions(tuple(current), "base")
    }
    assert set(script.get_heads()) <= applied


def test_naming_convention_is_set() -> None:
    assert SQLModel.metadata.naming_convention["fk"] == NAMING_CONVENTION["fk"]
