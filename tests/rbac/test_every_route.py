"""Every registered ``/api`` route of the full app (every domain) is public by declaration,
authenticated-only, or permission-protected, and the check enforces exactly that: without the
code a user gets 403 naming it, with only that code (and the capability the route names in
``x-capabilities``, if any) they get through, and the code computed at
request time is the catalogue's and OpenAPI's. Every declared capability is catalogued and
matched exactly (socket events: tests/realtime/test_every_event.py)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from atrium.config import Settings
from atrium.core.codes import CodeKind, declared
from atrium.core.ids import uuid7
from atrium.core.routing import Access, RouteCatalogue, RouteInfo
from atrium.core.state import AppState
from atrium.domains import DEFAULT_DOMAINS
from atrium.rbac.cache import PermissionSet
from atrium.rbac.models import Permission
from tests.rbac.domains import PROBE, RBAC
from tests.support.admin import API, actor, create_role, set_grants, set_roles

REFUSALS = {"AUTH_REQUIRED", "AUTH_TOKEN_INVALID", "AUTH_TOKEN_REVOKED", "PERMISSION_DENIED"}


def _url(info: RouteInfo) -> str:
    """A concrete URL for a template: fresh ids for parameters (so nothing real is touched)."""
    url = re.sub(r"\{[^}:]+:path\}", "some/file.txt", info.path)
    return re.sub(r"\{[^}]+\}", str(uuid7()), url)


async def _call(
    client: httpx.AsyncClient, info: RouteInfo, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await client.request(info.method, _url(info), headers=headers)


def test_the_full_app_is_walked(settings: Settings) -> None:
    defaults = list(DEFAULT_DOMAINS)
    assert RBAC in defaults, "atrium.rbac is not in the default domains"
    assert settings.domains == [*defaults, PROBE]


async def test_every_route_declares_its_access_and_is_enforced(
    app: FastAPI, client: httpx.AsyncClient, state: AppState
) -> None:
    catalogue: RouteCatalogue = app.state.catalogue
    routes = catalogue.under(API)
    paths: dict[str, Any] = (await client.get("/openapi.json")).json()["paths"]
    levels = {level: [i for i in routes if i.access is level] for level in Access}
    assert all(levels.values()), levels
    codes = [info.code for info in routes]
    assert len(codes) == len(set(codes)), "two routes share a method and path"
    for info in routes:
        operation = paths[info.path][info.method.lower()]
        assert operation["x-access"] == info.access.value, info
        assert operation.get("x-permission") == (
            info.code if info.access is Access.PERMISSION else None
        )
    for info in levels[Access.PUBLIC]:
        response = await _call(client, info)
        assert response.json().get("code") not in REFUSALS, (info.code, response.text)
    await _check_authenticated(client, state, levels[Access.AUTHENTICATED])
    await _check_permission(client, state, levels[Access.PERMISSION], paths)


async def _check_authenticated(
    client: httpx.AsyncClient, state: AppState, routes: list[RouteInfo]
) -> None:
    for index, info in enumerate(routes):
        assert (await _call(client, info)).status_code == 401, info.code
        someone = await actor(client, state, f"someone{index}")  # fresh: a route may log out
        response = await _call(client, info, someone.headers)
        assert response.status_code not in (401, 403), (info.code, response.text)


async def _check_permission(
    client: httpx.AsyncClient, state: AppState, routes: list[RouteInfo], paths: dict[str, Any]
) -> None:
    """Refused without the code; through with it, and with the capabilities the route's
    operation names (``x-capabilities``), refused without those."""
    admin = await actor(client, state, "root", superuser=True)
    nobody = await actor(client, state, "nobody")
    holder = await actor(client, state, "holder")
    role = await create_role(client, admin, "holder")
    await set_roles(client, admin, holder.id, [role])
    for info in routes:
        assert (await _call(client, info)).status_code == 401, info.code
        refused = await _call(client, info, nobody.headers)
        assert refused.status_code == 403, (info.code, refused.text)
        assert refused.json()["details"][0]["message"] == info.code  # computed at request time
        needs = paths[info.path][info.method.lower()].get("x-capabilities", [])
        if needs:
            await set_grants(client, admin, role, [info.code])
            lacking = await _call(client, info, holder.headers)
            assert lacking.status_code == 403, (info.code, lacking.text)
        await set_grants(client, admin, role, [info.code, *needs])
        response = await _call(client, info, holder.headers)
        assert response.status_code not in (401, 403), (info.code, response.text)


async def test_every_capability_is_catalogued_and_matched_exactly(
    app: FastAPI, state: AppState
) -> None:
    """Every capability a domain declares is in the catalogue; only its exact grant gives it."""
    capabilities = [c for c in declared(app) if c.kind is CodeKind.CAPABILITY]
    assert "files:admin" in {c.code for c in capabilities}
    async with state.db.session() as session:
        rows = {row.code: row for row in (await session.execute(select(Permission))).scalars()}

    def holder(*grants: str) -> PermissionSet:
        return PermissionSet(
            uuid7(), exists=True, active=True, is_superuser=False, role_ids=(), grants=grants
        )

    for capability in capabilities:
        assert capability.access is Access.PERMISSION, capability.code
        assert rows[capability.code].kind == CodeKind.CAPABILITY
        assert rows[capability.code].summary == capability.summary
        assert not holder("*:/**", "EVENT:*", "GET:/**").allows(capability.code)
        assert holder(capability.code).allows(capability.code)
