"""The delegation rule through the admin API: a narrow admin power is never a way to more.

Each test is one path an attacker holding one admin code took before the rule existed; every
refusal is a 403 with a stable code naming what exceeds the caller's grants.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx

from atrium.core.state import AppState
from tests.support.admin import API, Actor, actor, create_role, data, set_roles
from tests.support.users import login, sealed

USERS = f"{API}/users"
ROLES = f"{API}/roles"
NEW_PASSWORD = "another-Battery-staple-7"
ALPHA = "GET:/api/v1/probe/alpha"
BETA = "GET:/api/v1/probe/beta"
EVERYTHING = "*:/api/v1/**"


async def _holder(
    client: httpx.AsyncClient, state: AppState, root: Actor, name: str, grants: list[str]
) -> Actor:
    """A user whose one role grants exactly ``grants``."""
    who = await actor(client, state, name)
    await set_roles(client, root, who.id, [await create_role(client, root, f"{name}_r", grants)])
    return who


def _refused(response: httpx.Response, code: str) -> dict[str, Any]:
    assert (response.status_code, response.json()["code"]) == (403, code), response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_superuser_flag_is_for_superusers_only(
    client: httpx.AsyncClient, state: AppState
) -> None:
    """Found 1: PATCH of one's own isSuperuser with only the PATCH code; POST /users too."""
    root = await actor(client, state, "root", superuser=True)
    grants = ["PATCH:/api/v1/users/{user_id}", "POST:/api/v1/users"]
    mallory = await _holder(client, state, root, "mallory", grants)
    own = await client.patch(
        f"{USERS}/{mallory.id}", json={"isSuperuser": True}, headers=mallory.headers
    )
    assert "superuser" in _refused(own, "DELEGATION_SUPERUSER_ONLY")["message"]
    body = {"username": "sock", "email": "sock@example.com"}
    made = await client.post(USERS, json={**body, "isSuperuser": True}, headers=mallory.headers)
    _refused(made, "DELEGATION_SUPERUSER_ONLY")
    mine = data(await client.get(f"{USERS}/{mallory.id}", headers=root.headers))
    assert mine["isSuperuser"] is False
    plain = data(await client.post(USERS, json=body, headers=mallory.headers), 201)
    assert plain["isSuperuser"] is False  # a plain user is no amplification
    named = await client.patch(
        f"{USERS}/{mallory.id}", json={"displayName": "M"}, headers=mallory.headers
    )
    assert data(named)["displayName"] == "M"  # one's own name is fine


async def test_nobody_assigns_roles_to_themselves_or_beyond_their_grants(
    client: httpx.AsyncClient, state: AppState
) -> None:
    """Found 2: with only PUT /users/{id}/roles a user gave itself the admin role."""
    root = await actor(client, state, "root", superuser=True)
    admin_role = await create_role(client, root, "admin", [EVERYTHING])
    reader = await create_role(client, root, "reader", [ALPHA])
    mallory = await _holder(
        client, state, root, "mallory", ["PUT:/api/v1/users/{user_id}/roles", ALPHA]
    )
    accomplice = await actor(client, state, "accomplice")
    own = await client.put(
        f"{USERS}/{mallory.id}/roles",
        json={"roleIds": [str(admin_role)]},
        headers=mallory.headers,
    )
    _refused(own, "CANNOT_CHANGE_SELF")
    other = await client.put(
        f"{USERS}/{accomplice.id}/roles",
        json={"roleIds": [str(admin_role)]},
        headers=mallory.headers,
    )
    refusal = _refused(other, "DELEGATION_EXCEEDS_GRANTS")
    assert EVERYTHING in refusal["message"]
    assert "admin" in refusal["message"]
    assert [d["message"] for d in refusal["details"]] == [EVERYTHING]
    given = await client.put(
        f"{USERS}/{accomplice.id}/roles", json={"roleIds": [str(reader)]}, headers=mallory.headers
    )
    assert [role["code"] for role in data(given)["roles"]] == ["reader"]  # covered: fine


async def test_password_status_sessions_and_delete_need_cover_of_the_target(
    client: httpx.AsyncClient, state: AppState
) -> None:
    """Found 3: POST /users/{id}/password reset the superuser's password (and more powerful
    users'); disabling, kicking out (every session or one), seeing their sessions or deleting
    them was open the same way."""
    root = await actor(client, state, "root", superuser=True)
    codes = [
        "POST:/api/v1/users/{user_id}/password",
        "POST:/api/v1/users/{user_id}/disable",
        "POST:/api/v1/users/{user_id}/enable",
        "DELETE:/api/v1/users/{user_id}/sessions",
        "GET:/api/v1/users/{user_id}/sessions",
        "DELETE:/api/v1/users/{user_id}/sessions/{session_id}",
        "DELETE:/api/v1/users/{user_id}",
        "PATCH:/api/v1/users/{user_id}",
        ALPHA,
    ]
    mallory = await _holder(client, state, root, "mallory", codes)
    boss = await _holder(client, state, root, "boss", [ALPHA, BETA])
    peer = await _holder(client, state, root, "peer", [ALPHA])
    attempts = [
        ("POST", "password", {"password": "sealed later", "kid": "-"}),
        ("POST", "disable", None),
        ("DELETE", "sessions", None),
        ("GET", "sessions", None),
        ("DELETE", f"sessions/{UUID(int=7)}", None),  # refused before the session is looked up
        ("DELETE", "", None),
        ("PATCH", "", {"email": "mine@example.com"}),
    ]
    for method, tail, body in attempts:
        for target, code in (
            (root, "DELEGATION_SUPERUSER_ONLY"),
            (boss, "DELEGATION_EXCEEDS_GRANTS"),
        ):
            url = f"{USERS}/{target.id}/{tail}".rstrip("/")
            if tail == "password":
                body = await sealed(client, NEW_PASSWORD)
            response = await client.request(method, url, json=body, headers=mallory.headers)
            _refused(response, code)
    assert (await login(client, "root", NEW_PASSWORD)).status_code == 401
    assert (await login(client, "root")).status_code == 200
    assert (await client.get(f"{API}/probe/beta", headers=boss.headers)).status_code == 200
    peers = data(await client.get(f"{USERS}/{peer.id}/sessions", headers=mallory.headers))
    ended = await client.delete(
        f"{USERS}/{peer.id}/sessions/{peers[0]['id']}", headers=mallory.headers
    )
    data(ended)  # a covered user's session: seen and ended
    assert (await client.get(f"{API}/probe/alpha", headers=peer.headers)).status_code == 401
    reset = await sealed(client, NEW_PASSWORD)
    done = await client.post(f"{USERS}/{peer.id}/password", json=reset, headers=mallory.headers)
    data(done)  # the peer holds nothing mallory lacks
    assert (await login(client, "peer", NEW_PASSWORD)).status_code == 200
    own = await client.post(f"{USERS}/{mallory.id}/disable", headers=mallory.headers)
    _refused(own, "CANNOT_CHANGE_SELF")


async def test_role_changes_need_cover_of_the_role_before_and_after(
    client: httpx.AsyncClient, state: AppState
) -> None:
    """Found 4: PUT /roles/{id}/permissions widened a role the caller holds; PATCH re-enabled a
    wide role or changed its code."""
    root = await actor(client, state, "root", superuser=True)
    codes = ["PUT:/api/v1/roles/{role_id}/permissions", "PATCH:/api/v1/roles/{role_id}", ALPHA]
    mallory = await actor(client, state, "mallory")
    own_role = await create_role(client, root, "own", codes)
    await set_roles(client, root, mallory.id, [own_role])
    widen = await client.put(
        f"{ROLES}/{own_role}/permissions",
        json={"grants": [*codes, EVERYTHING]},
        headers=mallory.headers,
    )
    assert EVERYTHING in _refused(widen, "DELEGATION_EXCEEDS_GRANTS")["message"]
    wide = await create_role(client, root, "wide", [EVERYTHING])
    data(await client.patch(f"{ROLES}/{wide}", json={"status": "disabled"}, headers=root.headers))
    for change in ({"status": "active"}, {"code": "wider"}, {"name": "Wider"}):
        response = await client.patch(f"{ROLES}/{wide}", json=change, headers=mallory.headers)
        _refused(response, "DELEGATION_EXCEEDS_GRANTS")
    shrink = await client.put(
        f"{ROLES}/{wide}/permissions", json={"grants": [ALPHA]}, headers=mallory.headers
    )
    _refused(shrink, "DELEGATION_EXCEEDS_GRANTS")  # before: the role holds more than mallory
    detail = data(await client.get(f"{ROLES}/{wide}", headers=root.headers))
    assert (detail["grants"], detail["status"], detail["code"]) == (
        [EVERYTHING],
        "disabled",
        "wide",
    )
    narrow = await create_role(client, root, "narrow", [])
    given = await client.put(
        f"{ROLES}/{narrow}/permissions", json={"grants": [ALPHA]}, headers=mallory.headers
    )
    assert data(given)["grants"] == [ALPHA]
    assert (await client.get(f"{API}/probe/beta", headers=mallory.headers)).status_code == 403


async def test_a_pattern_holder_delegates_what_its_pattern_covers(
    client: httpx.AsyncClient, state: AppState
) -> None:
    """Coverage compares patterns: ``GET:/api/v1/probe/*`` covers the alpha code, not ``**``."""
    root = await actor(client, state, "root", superuser=True)
    codes = ["PUT:/api/v1/roles/{role_id}/permissions", "DELETE:/api/v1/roles/{role_id}"]
    lead = await _holder(client, state, root, "lead", [*codes, "GET:/api/v1/probe/*"])
    role = await create_role(client, root, "team", [])
    url = f"{ROLES}/{role}/permissions"
    ok = await client.put(
        url, json={"grants": [ALPHA, "GET:/api/v1/probe/*"]}, headers=lead.headers
    )
    assert data(ok)["grants"] == ["GET:/api/v1/probe/*", ALPHA]
    more = await client.put(url, json={"grants": ["GET:/api/v1/probe/**"]}, headers=lead.headers)
    _refused(more, "DELEGATION_EXCEEDS_GRANTS")
    capability = await client.put(url, json={"grants": ["files:admin"]}, headers=lead.headers)
    _refused(capability, "DELEGATION_EXCEEDS_GRANTS")  # no route pattern implies a capability
    wide = await create_role(client, root, "wide", [EVERYTHING])
    _refused(
        await client.delete(f"{ROLES}/{wide}", headers=lead.headers), "DELEGATION_EXCEEDS_GRANTS"
    )
    data(await client.delete(f"{ROLES}/{role}", headers=lead.headers))


async def test_the_rule_holds_outside_http(client: httpx.AsyncClient, state: AppState) -> None:
    """The check lives in the services: a direct call with a narrow actor is refused too."""
    import pytest

    from atrium.rbac import service
    from atrium.rbac.delegation import Actor as Acting
    from atrium.rbac.errors import DelegationDenied

    root = await actor(client, state, "root", superuser=True)
    role_id = await create_role(client, root, "team", [])
    narrow = Acting(UUID(int=1), False, (ALPHA,))
    async with state.db.session() as session:
        role = await service.get_role(session, role_id)
        with pytest.raises(DelegationDenied):
            await service.set_grants(session, narrow, role, [BETA])
        assert await service.set_grants(session, narrow, role, [ALPHA]) == [ALPHA]


async def test_only_superusers_give_a_role_a_seeded_code(
    client: httpx.AsyncClient, state: AppState
) -> None:
    """``atrium initdb`` adds every new code to the role coded ``admin``: renaming a role so would
    make it grow on the next seed."""
    root = await actor(client, state, "root", superuser=True)
    codes = ["POST:/api/v1/roles", "PATCH:/api/v1/roles/{role_id}"]
    lead = await _holder(client, state, root, "lead", codes)
    made = await client.post(ROLES, json={"name": "A", "code": "Admin"}, headers=lead.headers)
    _refused(made, "DELEGATION_SUPERUSER_ONLY")
    team = data(
        await client.post(ROLES, json={"name": "Team", "code": "team"}, headers=lead.headers), 201
    )
    renamed = await client.patch(
        f"{ROLES}/{team['id']}", json={"code": "user"}, headers=lead.headers
    )
    _refused(renamed, "DELEGATION_SUPERUSER_ONLY")
    other = await client.patch(f"{ROLES}/{team['id']}", json={"code": "crew"}, headers=lead.headers)
    assert data(other)["code"] == "crew"
