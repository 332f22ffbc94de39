"""The catalogue → permission table sync (routes, socket events, capabilities): adds, updates,
stales, revives; concurrency."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import delete, func, select

from atrium.core.codes import CodeKind, DeclaredCode, declared
from atrium.core.db import Database
from atrium.core.routing import Access, RouteCatalogue, RouteInfo
from atrium.core.state import AppState
from atrium.rbac.models import Permission, PermissionAccess, RolePermission
from atrium.rbac.sync import sync_routes
from tests.support.admin import API

PROBE_ALPHA = "GET:/api/v1/probe/alpha"
ROOT = Path(__file__).resolve().parents[2]


def _routes(app: FastAPI) -> list[RouteInfo]:
    catalogue: RouteCatalogue = app.state.catalogue
    return catalogue.under(API)


def _expected(app: FastAPI) -> set[str]:
    """Every non-public route's code and every declared event's and capability's code."""
    items: list[RouteInfo | DeclaredCode] = [*_routes(app), *declared(app)]
    return {info.code for info in items if info.access is not Access.PUBLIC}


async def _rows(db: Database) -> dict[str, Permission]:
    async with db.session() as session:
        rows = (await session.execute(select(Permission))).scalars().all()
    return {row.code: row for row in rows}


async def test_startup_synced_every_non_public_route(app: FastAPI, state: AppState) -> None:
    rows = await _rows(state.db)
    assert set(rows) == _expected(app)
    assert "GET:/api/v1/probe/open" not in rows
    assert rows[PROBE_ALPHA].kind == CodeKind.ROUTE
    capability = rows["files:admin"]
    assert (capability.kind, capability.method, capability.path) == (
        CodeKind.CAPABILITY,
        "CAPABILITY",
        "files:admin",
    )
    assert capability.access == PermissionAccess.PERMISSION
    event = rows["EVENT:messages:send"]
    assert (event.kind, event.method, event.path) == (CodeKind.EVENT, "EVENT", "messages:send")
    assert event.summary.startswith("Send a message")
    assert rows["EVENT:ping"].access == PermissionAccess.AUTHENTICATED
    assert rows["GET:/api/v1/probe/whoami"].access == PermissionAccess.AUTHENTICATED
    assert rows[PROBE_ALPHA].access == PermissionAccess.PERMISSION
    assert rows[PROBE_ALPHA].tags == ["probe"]
    assert rows[PROBE_ALPHA].summary == "Needs GET:/api/v1/probe/alpha."


async def test_a_second_sync_changes_nothing(app: FastAPI, state: AppState) -> None:
    report = await sync_routes(state.db, _routes(app), declared(app))
    assert not report.changed
    assert report.total == len(await _rows(state.db))


async def test_vanished_codes_go_stale_keeping_grants_and_come_back(
    app: FastAPI, state: AppState
) -> None:
    routes = _routes(app)
    async with state.db.session() as session:
        from atrium.rbac.models import Role

        role = Role(name="Keeper", code="keeper")
        session.add(role)
        await session.flush()
        session.add(RolePermission(role_id=role.id, pattern=PROBE_ALPHA))
    without = [info for info in routes if info.code != PROBE_ALPHA]
    report = await sync_routes(state.db, without, declared(app))
    assert (report.staled, report.added) == (1, 0)
    assert (await _rows(state.db))[PROBE_ALPHA].stale
    async with state.db.session() as session:
        kept = (await session.execute(select(RolePermission))).scalars().all()
    assert [grant.pattern for grant in kept] == [PROBE_ALPHA]
    report = await sync_routes(state.db, routes, declared(app))
    assert report.revived == 1
    assert not (await _rows(state.db))[PROBE_ALPHA].stale


async def test_changed_summaries_tags_and_levels_are_updated(app: FastAPI, state: AppState) -> None:
    routes = [
        replace(info, summary="Renamed", tags=("other",), access=Access.AUTHENTICATED)
        if info.code == PROBE_ALPHA
        else info
        for info in _routes(app)
    ]
    report = await sync_routes(state.db, routes, declared(app))
    assert report.updated == 1
    row = (await _rows(state.db))[PROBE_ALPHA]
    assert (row.summary, row.tags, row.access) == (
        "Renamed",
        ["other"],
        PermissionAccess.AUTHENTICATED,
    )


async def test_concurrent_syncs_insert_each_code_once(app: FastAPI, state: AppState) -> None:
    """Four "processes" (own engines and connections) sync an empty table at the same time."""
    routes = _routes(app)
    async with state.db.session() as session:
        await session.execute(delete(Permission))
    engines = [Database(state.settings.sql) for _ in range(4)]
    try:
        reports = await asyncio.gather(*(sync_routes(db, routes) for db in engines))
    finally:
        for db in engines:
            await db.dispose()
    expected = {info.code for info in routes if info.access is not Access.PUBLIC}
    assert sum(report.added for report in reports) == len(expected)
    async with state.db.session() as session:
        count = (await session.execute(select(func.count()).select_from(Permission))).scalar_one()
    assert count == len(expected)
    assert set(await _rows(state.db)) == expected


async def test_two_processes_syncing_at_once(app: FastAPI, state: AppState) -> None:
    """Two real processes run ``atrium rbac sync`` against an empty table simultaneously."""
    async with state.db.session() as session:
        await session.execute(delete(Permission))
    env = {
        **os.environ,
        "ATRIUM_SQL__URL": state.settings.sql.url,
        "ATRIUM_DOMAINS": '["' + '","'.join(state.settings.domains) + '"]',
        "ATRIUM_LOGGING__LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),  # the probe domain lives under tests/
    }
    command = [str(Path(sys.executable).with_name("atrium")), "rbac", "sync"]
    procs = [
        await asyncio.create_subprocess_exec(
            *command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs = await asyncio.gather(*(asyncio.wait_for(p.communicate(), 60) for p in procs))
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode()
    added = [int(out.decode().split("permissions: ")[1].split(" added")[0]) for out, _ in outputs]
    expected = _expected(app)
    assert sum(added) == len(expected)
    assert set(await _rows(state.db)) == expected
