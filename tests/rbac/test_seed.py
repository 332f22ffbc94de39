"""``atrium initdb`` seeds an admin role (every code: routes, events, capabilities), a user role
(the authenticated basics and the everyday socket events) and the built-in admin menus;
re-running it changes nothing."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from atrium.core.codes import DeclaredCode, declared
from atrium.core.routing import Access, RouteCatalogue, RouteInfo
from atrium.core.state import AppState
from atrium.rbac import repository
from atrium.rbac.cli import seed_database
from atrium.rbac.models import MenuType
from tests.support import ROOT
from tests.support.admin import API, actor, data, set_roles
from tests.support.nodes import process_env


async def test_seed_is_complete_and_idempotent(app: FastAPI, state: AppState) -> None:
    first = await seed_database(state.settings)
    assert first.changed
    assert sorted(first.roles_created) == ["admin", "user"]
    second = await seed_database(state.settings)
    assert not second.changed
    catalogue: RouteCatalogue = app.state.catalogue
    routes = catalogue.under(API)
    async with state.db.session() as session:
        admin = await repository.role_by(session, code="admin")
        user = await repository.role_by(session, code="user")
        assert admin is not None
        assert user is not None
        grants = await repository.grants_of_roles(session, [admin.id, user.id])
        menus = await repository.all_menus(session)
        admin_menus = (await repository.menu_ids_of_roles(session, [admin.id]))[admin.id]
    codes = declared(app)
    items: list[RouteInfo | DeclaredCode] = [*routes, *codes]
    protected = {i.code for i in items if i.access is Access.PERMISSION}
    assert set(grants[admin.id]) == protected
    assert {"files:admin", "EVENT:messages:send"} <= protected
    everyday = {"EVENT:messages:send", "EVENT:messages:read", "EVENT:notifications:read"}
    everyday |= {"EVENT:documents.watch", "EVENT:documents.unwatch"}  # the documents domain's
    assert {item.code for item in codes if item.for_every_user} == everyday
    authenticated = {i.code for i in items if i.access is Access.AUTHENTICATED}
    assert "EVENT:ping" in authenticated
    assert set(grants[user.id]) == authenticated | everyday
    screens = {m.route_path for m in menus if m.type == MenuType.MENU}
    assert {"/system/users", "/system/roles", "/system/menus", "/system/permissions"} <= screens
    assert "/system/online" in screens  # the console's online users screen
    assert "users:create" in {m.button_code for m in menus}
    assert set(admin_menus) == {m.id for m in menus}


async def test_the_seeded_admin_role_can_call_every_admin_route(
    app: FastAPI, client: httpx.AsyncClient, state: AppState
) -> None:
    await seed_database(state.settings)
    root = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    async with state.db.session() as session:
        admin_role = await repository.role_by(session, code="admin")
    assert admin_role is not None
    await set_roles(client, root, bob.id, [admin_role.id])
    listed = data(await client.get(f"{API}/users", headers=bob.headers))
    assert listed["total"] == 2
    assert (await client.get(f"{API}/probe/beta", headers=bob.headers)).status_code == 200


@pytest.mark.slow
async def test_atrium_initdb_creates_the_superuser_then_seeds(
    app: FastAPI, state: AppState
) -> None:
    env = process_env(state.settings)
    command = [str(Path(sys.executable).with_name("atrium")), "initdb", "--no-input"]
    proc = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, out.decode()
    assert "superuser 'admin' created" in out.decode()
    assert "roles created: admin, user" in out.decode()
    assert not (await seed_database(state.settings)).changed
