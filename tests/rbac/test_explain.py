"""``GET /authz/explain``: which role and grant allow a request, or why it is refused."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx

from atrium.core.state import AppState
from tests.support.admin import API, Actor, actor, create_role, data, set_roles

EXPLAIN = f"{API}/authz/explain"


async def _explain(
    client: httpx.AsyncClient, admin: Actor, user: UUID, method: str, path: str
) -> Any:
    params = {"userId": str(user), "method": method, "path": path}
    return data(await client.get(EXPLAIN, params=params, headers=admin.headers))


async def test_explains_grants_denials_and_disabled_roles(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    reader = await create_role(client, admin, "reader", ["GET:/api/v1/probe/*"])
    await set_roles(client, admin, bob.id, [reader])
    granted = await _explain(client, admin, bob.id, "get", "/api/v1/probe/items/42")
    assert granted["route"]["code"] == "GET:/api/v1/probe/items/{item_id}"
    assert (granted["allowed"], granted["reason"]) == (False, "NO_GRANT")
    alpha = await _explain(client, admin, bob.id, "GET", "/api/v1/probe/alpha")
    assert (alpha["allowed"], alpha["reason"]) == (True, "GRANTED")
    assert alpha["matches"] == [
        {
            "roleId": str(reader),
            "roleCode": "reader",
            "roleName": "Reader",
            "roleStatus": "active",
            "grant": "GET:/api/v1/probe/*",
            "effective": True,
        }
    ]
    data(
        await client.patch(
            f"{API}/roles/{reader}", json={"status": "disabled"}, headers=admin.headers
        )
    )
    disabled = await _explain(client, admin, bob.id, "GET", "/api/v1/probe/alpha")
    assert (disabled["allowed"], disabled["reason"]) == (False, "ROLE_DISABLED")


async def test_explains_the_other_verdicts(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    cases = [
        (admin.id, "GET", "/api/v1/probe/beta", True, "SUPERUSER"),
        (bob.id, "GET", "/api/v1/probe/whoami", True, "AUTHENTICATED"),
        (bob.id, "GET", "/api/v1/probe/open", True, "PUBLIC"),
        (bob.id, "GET", "/api/v1/nowhere", False, "NO_ROUTE"),
        (
            UUID("01900000-0000-7000-8000-000000000000"),
            "GET",
            "/api/v1/probe/beta",
            False,
            "USER_NOT_FOUND",
        ),
        (bob.id, "GET", "/api/v1/users/{user_id}", False, "NO_GRANT"),
    ]
    for user, method, path, allowed, reason in cases:
        verdict = await _explain(client, admin, user, method, path)
        assert (verdict["allowed"], verdict["reason"]) == (allowed, reason), path
    data(await client.post(f"{API}/users/{bob.id}/disable", headers=admin.headers))
    verdict = await _explain(client, admin, bob.id, "GET", "/api/v1/probe/whoami")
    assert (verdict["allowed"], verdict["reason"]) == (False, "USER_DISABLED")
    bad = await client.get(
        EXPLAIN,
        params={"userId": str(bob.id), "method": "FETCH", "path": "/"},
        headers=admin.headers,
    )
    assert bad.status_code == 422


async def test_explains_a_delegation_refusal(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await actor(client, state, "root", superuser=True)
    helpdesk = await actor(client, state, "helpdesk")
    boss = await actor(client, state, "boss")
    peer = await actor(client, state, "peer")
    codes = [
        "POST:/api/v1/users/{user_id}/password",
        "PUT:/api/v1/users/{user_id}/roles",
        "GET:/api/v1/users/{user_id}/sessions",
        "DELETE:/api/v1/users/{user_id}/sessions/{session_id}",
    ]
    desk = await create_role(client, admin, "desk", [*codes, "GET:/api/v1/probe/alpha"])
    wide = await create_role(client, admin, "wide", ["*:/api/v1/**"])
    await set_roles(client, admin, helpdesk.id, [desk])
    await set_roles(client, admin, boss.id, [wide])
    on_boss = await _explain(client, admin, helpdesk.id, "POST", f"{API}/users/{boss.id}/password")
    assert (on_boss["allowed"], on_boss["reason"]) == (False, "DELEGATION_EXCEEDS_GRANTS")
    assert on_boss["delegation"]["exceeding"] == ["*:/api/v1/**"]
    assert on_boss["matches"][0]["grant"] == "POST:/api/v1/users/{user_id}/password"
    on_root = await _explain(client, admin, helpdesk.id, "POST", f"{API}/users/{admin.id}/password")
    assert on_root["reason"] == "DELEGATION_SUPERUSER_ONLY"
    on_peer = await _explain(client, admin, helpdesk.id, "POST", f"{API}/users/{peer.id}/password")
    assert (on_peer["allowed"], on_peer["delegation"]["reason"]) == (True, "COVERED")
    for method, tail in (("GET", "sessions"), ("DELETE", f"sessions/{UUID(int=7)}")):
        path = f"{API}/users/{boss.id}/{tail}"
        seen = await _explain(client, admin, helpdesk.id, method, path)
        assert (seen["allowed"], seen["reason"]) == (False, "DELEGATION_EXCEEDS_GRANTS"), tail
        path = f"{API}/users/{peer.id}/{tail}"
        assert (await _explain(client, admin, helpdesk.id, method, path))["allowed"] is True
    own = await _explain(client, admin, helpdesk.id, "PUT", f"{API}/users/{helpdesk.id}/roles")
    assert own["reason"] == "CANNOT_CHANGE_SELF"
    params = {
        "userId": str(helpdesk.id),
        "method": "PUT",
        "path": f"{API}/users/{peer.id}/roles",
        "roleIds": [str(wide)],
    }
    assigning = data(await client.get(EXPLAIN, params=params, headers=admin.headers))
    assert (assigning["allowed"], assigning["reason"]) == (False, "DELEGATION_EXCEEDS_GRANTS")
    template = await _explain(
        client, admin, helpdesk.id, "POST", f"{API}/users/{{user_id}}/password"
    )
    assert (template["allowed"], template["delegation"]["reason"]) == (True, "COVERED")


async def test_explains_bulk_role_deletes_and_stale_code_deletes(
    client: httpx.AsyncClient, state: AppState
) -> None:
    """Explain answers what the request itself would: a bulk delete names its roles."""
    admin = await actor(client, state, "root", superuser=True)
    lead = await actor(client, state, "lead")
    desk = await create_role(client, admin, "desk", ["DELETE:/api/v1/roles", "GET:/api/v1/roles"])
    wide = await create_role(client, admin, "wide", ["*:/**"])
    await set_roles(client, admin, lead.id, [desk])
    params = {"userId": str(lead.id), "method": "DELETE", "path": f"{API}/roles"}
    bulk = data(
        await client.get(EXPLAIN, params={**params, "roleIds": [str(wide)]}, headers=admin.headers)
    )
    assert (bulk["allowed"], bulk["reason"]) == (False, "DELEGATION_EXCEEDS_GRANTS")
    really = await client.delete(f"{API}/roles", params={"ids": [str(wide)]}, headers=lead.headers)
    assert really.status_code == 403, really.text
    own = data(
        await client.get(EXPLAIN, params={**params, "roleIds": [str(desk)]}, headers=admin.headers)
    )
    assert own["delegation"]["reason"] == "COVERED"
