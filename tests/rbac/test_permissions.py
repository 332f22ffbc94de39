"""The catalogue through the API: grouped by tag, sync on demand, removing stale codes."""

from __future__ import annotations

import httpx
from sqlalchemy import update

from atrium.core.state import AppState
from atrium.rbac.models import Permission
from tests.support.admin import API, actor, create_role, data

PERMISSIONS = f"{API}/permissions"


async def test_grouped_by_tag(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await actor(client, state, "root", superuser=True)
    groups = data(await client.get(PERMISSIONS, headers=admin.headers))
    tags = [group["tag"] for group in groups]
    assert tags == sorted(tags)
    assert "roles" in tags
    assert "probe" in tags
    probe = next(group for group in groups if group["tag"] == "probe")
    codes = {row["code"]: row for row in probe["permissions"]}
    assert codes["GET:/api/v1/probe/alpha"]["access"] == "permission"
    assert codes["GET:/api/v1/probe/whoami"]["access"] == "authenticated"
    assert codes["GET:/api/v1/probe/alpha"]["kind"] == "route"
    assert "GET:/api/v1/probe/open" not in codes
    events = next(group for group in groups if group["tag"] == "socket events")["permissions"]
    assert {row["kind"] for row in events} == {"event"}
    assert "EVENT:messages:send" in {row["code"] for row in events}
    files = next(group for group in groups if group["tag"] == "files")["permissions"]
    admin_files = next(row for row in files if row["code"] == "files:admin")
    assert (admin_files["kind"], admin_files["method"]) == ("capability", "CAPABILITY")


async def test_sync_now_revives_and_stale_codes_can_be_removed(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    async with state.db.session() as session:
        session.add(
            Permission(method="GET", path="/api/v1/gone", code="GET:/api/v1/gone", tags=["old"])
        )
    role = await create_role(
        client, admin, "keeper", ["GET:/api/v1/gone", "GET:/api/v1/probe/alpha"]
    )
    report = data(await client.post(f"{PERMISSIONS}/sync", headers=admin.headers))
    assert (report["staled"], report["added"]) == (1, 0)
    groups = data(await client.get(PERMISSIONS, headers=admin.headers))
    gone = next(group for group in groups if group["tag"] == "old")["permissions"][0]
    assert gone["stale"] is True
    live = data(
        await client.get(PERMISSIONS, params={"includeStale": "false"}, headers=admin.headers)
    )
    assert "old" not in [group["tag"] for group in live]
    assert (
        data(await client.get(f"{API}/roles/{role}", headers=admin.headers))["grants"][0]
        == "GET:/api/v1/gone"
    )
    alpha = next(
        row
        for group in groups
        for row in group["permissions"]
        if row["code"] == "GET:/api/v1/probe/alpha"
    )
    busy = await client.delete(f"{PERMISSIONS}/{alpha['id']}", headers=admin.headers)
    assert (busy.status_code, busy.json()["code"]) == (409, "PERMISSION_NOT_STALE")
    data(await client.delete(f"{PERMISSIONS}/{gone['id']}", headers=admin.headers))
    assert data(await client.get(f"{API}/roles/{role}", headers=admin.headers))["grants"] == [
        "GET:/api/v1/probe/alpha"
    ]


async def test_sync_restores_an_edited_summary(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await actor(client, state, "root", superuser=True)
    async with state.db.session() as session:
        await session.execute(update(Permission).values(summary="tampered"))
    report = data(await client.post(f"{PERMISSIONS}/sync", headers=admin.headers))
    assert report["updated"] == report["total"] > 0
