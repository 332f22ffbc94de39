"""The check: superusers pass, disabled users and roles grant nothing, grants and patterns."""

from __future__ import annotations

import httpx

from atrium.core.state import AppState
from tests.support.admin import API, actor, create_role, data, set_grants, set_roles

ALPHA = f"{API}/probe/alpha"
BETA = f"{API}/probe/beta"


async def test_a_grant_allows_exactly_its_route(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    role = await create_role(client, admin, "reader", ["GET:/api/v1/probe/alpha"])
    await set_roles(client, admin, bob.id, [role])
    assert (await client.get(ALPHA, headers=bob.headers)).status_code == 200
    refused = await client.get(BETA, headers=bob.headers)
    assert refused.status_code == 403
    body = refused.json()
    assert body["code"] == "PERMISSION_DENIED"
    assert "GET:/api/v1/probe/beta" in body["message"]
    assert body["details"][0]["message"] == "GET:/api/v1/probe/beta"


async def test_superuser_passes_and_anonymous_is_refused(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    assert (await client.get(BETA, headers=admin.headers)).status_code == 200
    anonymous = await client.get(BETA)
    assert anonymous.status_code == 401
    assert (await client.get(f"{API}/probe/open")).status_code == 200


async def test_authenticated_routes_need_a_user_but_no_grant(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await actor(client, state, "bob")
    assert (await client.get(f"{API}/probe/whoami", headers=bob.headers)).status_code == 200
    assert (await client.get(f"{API}/probe/whoami")).status_code == 401


async def test_patterns_cover_segments_and_methods(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    role = await create_role(client, admin, "items", ["GET:/api/v1/probe/items/*"])
    await set_roles(client, admin, bob.id, [role])
    assert (await client.get(f"{API}/probe/items/7", headers=bob.headers)).status_code == 200
    assert (await client.delete(f"{API}/probe/items/7", headers=bob.headers)).status_code == 403
    await set_grants(client, admin, role, ["*:/api/v1/probe/**"])
    assert (await client.delete(f"{API}/probe/items/7", headers=bob.headers)).status_code == 200
    assert (await client.get(BETA, headers=bob.headers)).status_code == 200


async def test_a_disabled_role_grants_nothing(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    role = await create_role(client, admin, "reader", ["GET:/api/v1/probe/alpha"])
    await set_roles(client, admin, bob.id, [role])
    assert (await client.get(ALPHA, headers=bob.headers)).status_code == 200
    body = {"status": "disabled"}
    data(await client.patch(f"{API}/roles/{role}", json=body, headers=admin.headers))
    assert (await client.get(ALPHA, headers=bob.headers)).status_code == 403
    data(
        await client.patch(f"{API}/roles/{role}", json={"status": "active"}, headers=admin.headers)
    )
    assert (await client.get(ALPHA, headers=bob.headers)).status_code == 200


async def test_a_disabled_user_is_refused_everywhere(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    assert (await client.get(f"{API}/probe/whoami", headers=bob.headers)).status_code == 200
    data(await client.post(f"{API}/users/{bob.id}/disable", headers=admin.headers))
    refused = await client.get(f"{API}/probe/whoami", headers=bob.headers)
    assert refused.status_code in (401, 403)
    assert refused.json()["code"] in ("AUTH_USER_DISABLED", "AUTH_TOKEN_REVOKED")
