"""SQL access: the async engine, sessions that commit on success (then run the commit hooks of
their unit of work, ``atrium.core.uow``), and shared column types."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from atrium.config import SQLSettings
from atrium.core.clock import as_utc, utcnow
from atrium.core.ids import uuid7
from atrium.core.uow import CommitHook, CommitHooks, TrackedSession, UnitOfWork

log = structlog.get_logger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

AfterCommit = Callable[[], Awaitable[None]]
_AFTER_COMMIT_KEY = "atrium.after_commit"


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


class IdMixin(SQLModel):
    id: UUID = Field(default_factory=uuid7, primary_key=True)


class TimestampMixin(SQLModel):
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
        sa_column_kwargs={"onupdate": utcnow},
    )


def create_engine(settings: SQLSettings) -> AsyncEngine:
    """An async engine for the configured URL (SQLite gets WAL and foreign keys)."""
    url = make_url(settings.url)
    if url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(settings)
    return create_async_engine(
        url,
        echo=settings.echo,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout,
        pool_pre_ping=True,
    )


def _create_sqlite_engine(settings: SQLSettings) -> AsyncEngine:
    url = make_url(settings.url)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, echo=settings.echo, connect_args={"timeout": 30})
    event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Database:
    """The engine, its session factory and the commit hooks every session of it runs.

    Created in the lifespan, a worker's init or a command; the domains add their hooks then
    (``attach`` in their lifecycle).
    """

    def __init__(self, settings: SQLSettings) -> None:
        self.engine = create_engine(settings)
        self.sessionmaker = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=TrackedSession
        )
        self.hooks = CommitHooks()

    def on_commit(self, hook: CommitHook, entities: Collection[str] | None = None) -> None:
        """Run ``hook`` after every commit of this database's sessions (``CommitHooks.add``)."""
        self.hooks.add(hook, entities)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session that commits on success and rolls back on error.

        After the commit, the commit hooks run (one failing fails the caller, the commit
        stands), then the after-commit work.
        """
        async with self.sessionmaker() as session:
            unit = UnitOfWork.begin(session, self.hooks)
            try:
                yield session
                await session.commit()
            except BaseException as exc:
                await session.rollback()
                session.info.pop(_AFTER_COMMIT_KEY, None)
                if isinstance(exc, Exception):  # what an explicit commit saved before the error
                    await unit.settle(quiet=True)
                raise
            try:
                await unit.settle()
            finally:
                await run_after_commit(session)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await self.engine.dispose()


def after_commit(session: AsyncSession, work: AfterCommit) -> None:
    """Queue work (a Celery send, a socket emit) to run only once the session has committed."""
    session.info.setdefault(_AFTER_COMMIT_KEY, []).append(work)


async def run_after_commit(session: AsyncSession) -> None:
    for work in session.info.pop(_AFTER_COMMIT_KEY, []):
        try:
            await work()
        except Exception:
            log.exception("after_commit_failed")
