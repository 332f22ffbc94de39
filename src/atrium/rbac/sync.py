"""Sync the app's catalogue into the ``permissions`` table, keyed by (method, path).

The catalogue is every non-public route's code plus the codes domains declare that are no route
(capabilities such as ``files:admin``, socket events such as ``EVENT:messages:send``; see
``atrium.core.codes``): an event is stored as method ``EVENT`` and its name, a capability as
method ``CAPABILITY`` and its code.

New codes are inserted, changed summaries, tags and access levels updated, vanished codes
marked stale (their grants stay until an admin removes them), reappearing ones revived.

Several processes start at once (uvicorn workers, rolling deploys), so the sync is safe to run
concurrently: rows are inserted with ``INSERT ... ON CONFLICT DO NOTHING`` (PostgreSQL and
SQLite) in one sorted batch that is the transaction's first statement (SQLite takes its write
lock there and waits on ``busy_timeout`` instead of failing on a stale read snapshot), updates
touch rows in the same sorted order (no lock cycles on PostgreSQL), and the whole transaction is
retried a few times on an integrity or locking error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import insert as generic_insert
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from atrium.core.backoff import Exponential
from atrium.core.clock import utcnow
from atrium.core.codes import CodeKind, DeclaredCode
from atrium.core.db import Database
from atrium.core.ids import uuid7
from atrium.core.routing import Access, RouteInfo
from atrium.rbac.models import Permission, PermissionAccess

log = structlog.get_logger(__name__)
ATTEMPTS = 6
# Jittered: the processes that collided on the catalogue try again at different moments.
RETRY = Exponential(first=0.1, cap=0.5, jitter=0.8)
SUMMARY_MAX = 255
CAPABILITY_METHOD = "CAPABILITY"
EVENT_METHOD = "EVENT"


@dataclass(slots=True)
class SyncReport:
    added: int = 0
    updated: int = 0
    staled: int = 0
    revived: int = 0
    total: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.staled or self.revived)


@dataclass(frozen=True, slots=True)
class Wanted:
    method: str
    path: str
    code: str
    access: PermissionAccess
    summary: str
    tags: list[str]
    kind: CodeKind = CodeKind.ROUTE


def wanted_from(
    routes: Iterable[RouteInfo], codes: Iterable[DeclaredCode] = ()
) -> dict[tuple[str, str], Wanted]:
    """The catalogue rows for every non-public route and every declared non-route code."""
    wanted = {}
    for info in routes:
        if info.access is Access.PUBLIC:
            continue
        access = PermissionAccess(info.access.value)
        summary = info.summary[:SUMMARY_MAX]
        row = Wanted(info.method, info.path, info.code, access, summary, list(info.tags))
        wanted[(info.method, info.path)] = row
    for item in codes:
        if item.access is Access.PUBLIC:
            continue
        row = _declared_row(item)
        wanted[(row.method, row.path)] = row
    return wanted


def _declared_row(item: DeclaredCode) -> Wanted:
    if item.kind is CodeKind.EVENT:
        method, path = EVENT_METHOD, item.code.partition(":")[2]
    else:
        method, path = CAPABILITY_METHOD, item.code
    access = PermissionAccess(item.access.value)
    tags = list(item.tags)
    return Wanted(method, path, item.code, access, item.summary[:SUMMARY_MAX], tags, item.kind)


async def sync_routes(
    db: Database, routes: Iterable[RouteInfo], codes: Iterable[DeclaredCode] = ()
) -> SyncReport:
    """Bring the permission table in line with the app; safe to run from many processes."""
    wanted = wanted_from(routes, codes)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with db.session() as session:
                report = await sync_session(session, wanted)
        except (DBAPIError, StaleDataError) as exc:
            if attempt == ATTEMPTS:
                raise
            log.info("permission_sync_retry", attempt=attempt, error=type(exc).__name__)
            await asyncio.sleep(RETRY.delay(attempt))
            continue
        if report.changed:
            log.info("permission_sync", **_fields(report))
        return report
    raise AssertionError("unreachable")


def _fields(report: SyncReport) -> dict[str, int]:
    return {
        "added": report.added,
        "updated": report.updated,
        "staled": report.staled,
        "revived": report.revived,
        "total": report.total,
    }


async def sync_session(session: AsyncSession, wanted: dict[tuple[str, str], Wanted]) -> SyncReport:
    """The sync inside the caller's transaction (flushes, does not commit)."""
    report = SyncReport(added=await _insert_missing(session, wanted))
    query = select(Permission).order_by(Permission.method, Permission.path)
    for row in (await session.execute(query)).scalars():
        _reconcile(row, wanted.get((row.method, row.path)), report)
    await session.flush()
    report.total = len(wanted)
    return report


async def _insert_missing(session: AsyncSession, wanted: dict[tuple[str, str], Wanted]) -> int:
    if not wanted:
        return 0
    now = utcnow()
    rows = [_values(wanted[key], now) for key in sorted(wanted)]
    statement = _insert(session).values(rows)
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        statement = statement.on_conflict_do_nothing()
        result = await session.execute(statement.returning(Permission.code))
        return len(result.all())
    return await _insert_one_by_one(session, rows)


def _insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(Permission)
    if dialect == "sqlite":
        return sqlite.insert(Permission)
    return generic_insert(Permission)


async def _insert_one_by_one(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    existing = set((await session.execute(select(Permission.code))).scalars())  # type: ignore[call-overload]
    missing = [row for row in rows if row["code"] not in existing]
    if missing:
        await session.execute(generic_insert(Permission).values(missing))
    return len(missing)


def _values(row: Wanted, now: Any) -> dict[str, Any]:
    return {
        "id": uuid7(),
        "created_at": now,
        "updated_at": now,
        "method": row.method,
        "path": row.path,
        "code": row.code,
        "access": row.access,
        "summary": row.summary,
        "tags": row.tags,
        "kind": row.kind,
        "stale": False,
    }


def _reconcile(row: Permission, want: Wanted | None, report: SyncReport) -> None:
    if want is None:
        if not row.stale:
            row.stale = True
            report.staled += 1
        return
    if row.stale:
        row.stale = False
        report.revived += 1
    current = (row.summary, row.tags, row.access, row.code, row.kind)
    target = (want.summary, want.tags, want.access, want.code, want.kind)
    if current != target:
        row.summary, row.tags, row.access, row.code, row.kind = target
        report.updated += 1
