"""SQL queries of the scheduler: periodic tasks, beat's change log and run state."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import Row, bindparam, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlmodel import col

from atrium.core.pages import Page, PageParams, paginate
from atrium.scheduler.models import SCHEDULE_COLUMNS, PeriodicTask, ScheduleChange

TASKS = PeriodicTask.__table__  # type: ignore[attr-defined]
CHANGES = ScheduleChange.__table__  # type: ignore[attr-defined]
IN_CHUNK = 500
# Beat's writes on PostgreSQL: how long they wait for a lock, and run at most (then retried).
LOCK_TIMEOUT_MS = 2000
STATEMENT_TIMEOUT_MS = 10_000

Reader = AsyncSession | AsyncConnection  # beat reads on a bare connection (no ORM session)
T = TypeVar("T")

# What beat keeps in memory to time a task (the rest is read at dispatch).
TIMING_COLUMNS = [
    TASKS.c[name]
    for name in [
        "id",
        *SCHEDULE_COLUMNS,
        "one_off",
        "expires_at",
        "last_run_at",
        "schedule_changed_at",
    ]
]
DISPATCH_COLUMNS = [
    TASKS.c[name]
    for name in [
        "id",
        "name",
        "task",
        "args",
        "kwargs",
        "queue",
        "routing_key",
        "priority",
        "headers",
        "enabled",
        "one_off",
        "kind",
        "expires_at",
    ]
]


def _chunks(ids: Sequence[UUID]) -> Iterable[Sequence[UUID]]:
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start : start + IN_CHUNK]


# -- beat: change log ---------------------------------------------------------------------------


class ReadConnection:
    """Beat's reads on one long-lived connection in autocommit mode.

    One round trip a query: no pool check-out and ping, no BEGIN and ROLLBACK, and no snapshot
    held between reads (SQLite's WAL is never pinned). A connection that fails is dropped; if it
    was an old one (the server may have closed it) the read is tried once more on a new one.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._conn: AsyncConnection | None = None

    async def run(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        while True:
            fresh = self._conn is None
            conn = await self._connect()
            try:
                return await work(conn)
            except Exception:
                await self.close()
                if fresh:
                    raise

    async def _connect(self) -> AsyncConnection:
        if self._conn is None:
            conn = await self.engine.connect()
            self._conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        return self._conn

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()


async def limit_waits(
    session: AsyncSession,
    lock_ms: int = LOCK_TIMEOUT_MS,
    statement_ms: int = STATEMENT_TIMEOUT_MS,
) -> None:
    """Bound this transaction's lock waits and statements (PostgreSQL; SQLite has its own)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            select(
                func.set_config("lock_timeout", f"{lock_ms}ms", True),
                func.set_config("statement_timeout", f"{statement_ms}ms", True),
            )
        )


async def last_change_seq(session: Reader) -> int:
    return int((await session.execute(select(func.max(CHANGES.c.seq)))).scalar() or 0)


async def changes_after(session: Reader, seq: int, limit: int) -> list[tuple[int, UUID]]:
    query = (
        select(CHANGES.c.seq, CHANGES.c.task_id)
        .where(CHANGES.c.seq > seq)
        .order_by(CHANGES.c.seq)
        .limit(limit)
    )
    return [(int(row.seq), row.task_id) for row in await session.execute(query)]


async def prune_changes(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(CHANGES.delete().where(CHANGES.c.changed_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# -- beat: timing and dispatch --------------------------------------------------------------------


async def stream_enabled_timings(session: AsyncSession) -> AsyncIterator[Row[Any]]:
    """Every enabled task's timing columns, streamed (no ORM objects: 100k rows stay small)."""
    query = select(*TIMING_COLUMNS).where(TASKS.c.enabled.is_(True))
    result = await session.stream(query.execution_options(yield_per=2000))
    async for row in result:
        yield row


async def timings(session: Reader, ids: Sequence[UUID]) -> dict[UUID, Row[Any]]:
    found: dict[UUID, Row[Any]] = {}
    for chunk in _chunks(ids):
        for row in await session.execute(select(*TIMING_COLUMNS).where(TASKS.c.id.in_(chunk))):
            found[row.id] = row
    return found


async def dispatch_rows(session: Reader, ids: Sequence[UUID]) -> dict[UUID, Row[Any]]:
    found: dict[UUID, Row[Any]] = {}
    for chunk in _chunks(ids):
        for row in await session.execute(select(*DISPATCH_COLUMNS).where(TASKS.c.id.in_(chunk))):
            found[row.id] = row
    return found


async def record_runs(session: AsyncSession, runs: Sequence[dict[str, Any]]) -> None:
    """Persist run state: ``{"b_id", "b_last", "b_next", "b_inc", "disable"}`` per task.

    ``last_run_at`` never moves back (another beat may have written a later run); ``b_inc`` is 0
    for a slot another beat dispatched. The run-state columns log no change and (on PostgreSQL)
    take no change-log lock. Disabling finished one-off tasks does log one, so it goes first:
    the change-log lock is then taken before any row lock, in the same order as every other
    configuration write, and the two can never deadlock. Rows are locked in id order.
    """
    if not runs:
        return
    runs = sorted(runs, key=lambda run: run["b_id"])
    disabled = [run["b_id"] for run in runs if run.get("disable")]
    for chunk in _chunks(disabled):
        await session.execute(update(TASKS).where(TASKS.c.id.in_(chunk)).values(enabled=False))
    last = bindparam("b_last", type_=TASKS.c.last_run_at.type)
    statement = (
        update(TASKS)
        .where(TASKS.c.id == bindparam("b_id"))
        .values(
            last_run_at=case(
                (or_(TASKS.c.last_run_at.is_(None), TASKS.c.last_run_at < last), last),
                else_=TASKS.c.last_run_at,
            ),
            next_run_at=bindparam("b_next", type_=TASKS.c.next_run_at.type),
            total_run_count=TASKS.c.total_run_count + bindparam("b_inc"),
            updated_at=TASKS.c.updated_at,
        )
    )
    await session.execute(
        statement, [{k: v for k, v in run.items() if k != "disable"} for run in runs]
    )


# -- ops: periodic tasks --------------------------------------------------------------------------


async def get(session: AsyncSession, task_id: UUID) -> PeriodicTask | None:
    return await session.get(PeriodicTask, task_id)


async def get_by_name(session: AsyncSession, name: str) -> PeriodicTask | None:
    query = select(PeriodicTask).where(col(PeriodicTask.name) == name)
    return (await session.execute(query)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    params: PageParams,
    *,
    enabled: bool | None = None,
    kind: str | None = None,
    search: str | None = None,
) -> Page[Any]:
    query = select(PeriodicTask).order_by(col(PeriodicTask.name), col(PeriodicTask.id))
    if enabled is not None:
        query = query.where(col(PeriodicTask.enabled).is_(enabled))
    if kind is not None:
        query = query.where(col(PeriodicTask.kind) == kind)
    if search:
        pattern = f"%{search}%"
        query = query.where(
            or_(col(PeriodicTask.name).ilike(pattern), col(PeriodicTask.task).ilike(pattern))
        )
    return await paginate(session, query, params)


async def all_named(session: AsyncSession, names: Iterable[str]) -> dict[str, PeriodicTask]:
    query = select(PeriodicTask).where(col(PeriodicTask.name).in_(list(names)))
    return {task.name: task for task in (await session.execute(query)).scalars()}


async def next_due(session: AsyncSession, limit: int) -> list[PeriodicTask]:
    """The enabled tasks beat last planned soonest (its stored ``next_run_at``)."""
    query = (
        select(PeriodicTask)
        .where(col(PeriodicTask.enabled).is_(True), col(PeriodicTask.next_run_at).is_not(None))
        .order_by(col(PeriodicTask.next_run_at), col(PeriodicTask.id))
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())
