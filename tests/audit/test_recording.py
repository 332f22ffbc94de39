"""Every state-changing API call is recorded once, after it completes, with what it changed:
a randomised run of admin actions on users and roles gives one entry per action, in order, each
with its own diff; failures are recorded with their status; reads are not recorded."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
import pytest

from atrium.core.state import AppState
from atrium.core.uow import REDACTED
from tests.support.admin import API, Actor, create_role, data
from tests.support.apikeys import create_key, x_api_key
from tests.support.audit import audit_entries, drained, raw_entries
from tests.support.users import create_user, sealed

Diff = tuple[str, str, Any, Any]  # entity, field, old, new


@dataclass
class Expected:
    code: str
    target: str
    diffs: list[Diff] = field(default_factory=list)


@dataclass
class World:
    client: httpx.AsyncClient
    admin: Actor
    users: list[UUID]
    roles: dict[UUID, dict[str, Any]]  # id: {"description", "grants", "members"}
    rng: random.Random
    done: list[Expected] = field(default_factory=list)

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.client.request(method, path, json=body, headers=self.admin.headers)
        assert response.status_code in (200, 201), response.text
        return response.json()["data"]


async def rename_role(world: World) -> None:
    role_id = world.rng.choice(list(world.roles))
    old, new = world.roles[role_id]["description"], f"d{world.rng.randrange(10**6)}"
    await world.call("PATCH", f"{API}/roles/{role_id}", {"description": new})
    world.roles[role_id]["description"] = new
    code = "PATCH:/api/v1/roles/{role_id}"
    world.done.append(Expected(code, str(role_id), [("roles", "description", old, new)]))


async def grant(world: World) -> None:
    role_id = world.rng.choice(list(world.roles))
    held: set[str] = world.roles[role_id]["grants"]
    pool = ["GET:/api/v1/users", "GET:/api/v1/roles", "*:/api/v1/todos/**", "files:admin"]
    wanted = set(world.rng.sample(pool, world.rng.randint(0, len(pool))))
    await world.call("PUT", f"{API}/roles/{role_id}/permissions", {"grants": sorted(wanted)})
    diffs: list[Diff] = [("role_permissions", "pattern", None, p) for p in wanted - held]
    diffs += [("role_permissions", "pattern", p, None) for p in held - wanted]
    world.roles[role_id]["grants"] = wanted
    code = "PUT:/api/v1/roles/{role_id}/permissions"
    world.done.append(Expected(code, str(role_id), diffs))


async def give_roles(world: World) -> None:
    user_id = world.rng.choice(world.users)
    wanted = set(world.rng.sample(list(world.roles), world.rng.randint(0, len(world.roles))))
    held = {role for role, about in world.roles.items() if user_id in about["members"]}
    body = {"roleIds": [str(role) for role in wanted]}
    await world.call("PUT", f"{API}/users/{user_id}/roles", body)
    diffs: list[Diff] = [("user_roles", "role_id", None, str(r)) for r in wanted - held]
    diffs += [("user_roles", "role_id", str(r), None) for r in held - wanted]
    for role, about in world.roles.items():
        about["members"].discard(user_id)
        if role in wanted:
            about["members"].add(user_id)
    world.done.append(Expected("PUT:/api/v1/users/{user_id}/roles", str(user_id), diffs))


async def rename_user(world: World) -> None:
    user_id = world.rng.choice(world.users)
    new = f"Name {world.rng.randrange(10**6)}"
    before = await world.call("GET", f"{API}/users/{user_id}")
    await world.call("PATCH", f"{API}/users/{user_id}", {"displayName": new})
    diff = ("users", "display_name", before["displayName"], new)
    world.done.append(Expected("PATCH:/api/v1/users/{user_id}", str(user_id), [diff]))


async def toggle_user(world: World) -> None:
    user_id = world.rng.choice(world.users)
    before = (await world.call("GET", f"{API}/users/{user_id}"))["status"]
    action = "disable" if before == "active" else "enable"
    after = (await world.call("POST", f"{API}/users/{user_id}/{action}"))["status"]
    code = f"POST:/api/v1/users/{{user_id}}/{action}"
    world.done.append(Expected(code, str(user_id), [("users", "status", before, after)]))


ACTIONS: list[Callable[[World], Awaitable[None]]] = [
    rename_role,
    grant,
    give_roles,
    rename_user,
    toggle_user,
]


def _diffs(entry: dict[str, Any]) -> set[Diff]:
    ignored = {"updated_at", "role_id", "user_id"}
    found = set()
    for change in entry["changes"]:
        name = change["field"]
        link_key = (change["entity"], name) in {
            ("role_permissions", "pattern"),
            ("user_roles", "role_id"),
        }
        if link_key or name not in ignored:
            found.add((change["entity"], name, change["old"], change["new"]))
    return found


@pytest.mark.parametrize("seed", [7, 2026])
async def test_a_random_run_of_admin_actions_gives_one_entry_each_with_its_diff(
    client: httpx.AsyncClient, state: AppState, admin: Actor, seed: int
) -> None:
    users = [(await create_user(state, f"member{n}")).id for n in range(3)]
    roles = {}
    for n in range(3):
        role_id = await create_role(client, admin, f"team{n}")
        roles[role_id] = {"description": "", "grants": set(), "members": set()}
    await drained(state)
    mark = len(await audit_entries(client, state, admin.headers, actorId=str(admin.id)))
    world = World(client, admin, users, roles, random.Random(seed))
    for _ in range(25):
        await world.rng.choice(ACTIONS)(world)
    found = await audit_entries(client, state, admin.headers, actorId=str(admin.id))
    recorded = list(reversed(found[: len(found) - mark]))
    assert [entry["code"] for entry in recorded] == [done.code for done in world.done], seed
    for entry, done in zip(recorded, world.done, strict=True):
        assert done.target in entry["targetIds"], (seed, entry)
        assert _diffs(entry) == set(done.diffs), (seed, done.code, entry["changes"])
        assert entry["status"] in (200, 201)


async def test_failures_are_recorded_with_their_status_and_reads_are_not(
    client: httpx.AsyncClient, state: AppState, admin: Actor
) -> None:
    missing = "01a23d05-aaef-769f-9d9a-1f41432d797f"
    await client.get(f"{API}/roles", headers=admin.headers)
    gone = await client.patch(f"{API}/roles/{missing}", json={}, headers=admin.headers)
    invalid = await client.post(f"{API}/roles", json={"name": ""}, headers=admin.headers)
    refused = await client.post(f"{API}/roles", json={"name": "x", "code": "x"})
    assert (gone.status_code, invalid.status_code, refused.status_code) == (404, 422, 401)
    found = await audit_entries(client, state, admin.headers, code="POST:/api/v1/roles")
    found += await audit_entries(client, state, admin.headers, code="PATCH:/api/v1/roles/{role_id}")
    assert [(e["code"], e["status"], e["actorKind"]) for e in found] == [
        ("POST:/api/v1/roles", 401, "anonymous"),
        ("POST:/api/v1/roles", 422, "user"),
        ("PATCH:/api/v1/roles/{role_id}", 404, "user"),
    ]
    assert found[-1]["targetIds"] == [missing]
    assert found[-1]["changes"] == []


async def test_a_password_set_by_an_admin_is_recorded_without_its_hash(
    client: httpx.AsyncClient, state: AppState, admin: Actor
) -> None:
    user = await create_user(state, "carol")
    body = await sealed(client, "another-Horse-battery-7")
    url = f"{API}/users/{user.id}/password"
    assert (await client.post(url, json=body, headers=admin.headers)).status_code == 200
    [entry] = await audit_entries(client, state, admin.headers, targetId=str(user.id))
    [change] = [c for c in entry["changes"] if c["field"] == "password_hash"]
    assert (change["old"], change["new"]) == (REDACTED, REDACTED)
    stored = str(await raw_entries(state))
    assert user.password_hash not in stored
    assert "argon2" not in stored
    assert body["password"] not in stored


async def test_a_call_with_an_api_key_names_the_key_and_its_owner(
    client: httpx.AsyncClient, state: AppState, admin: Actor
) -> None:
    key = await create_key(client, admin.headers, ["POST:/api/v1/roles"])
    body = {"name": "Robots", "code": "robots"}
    role = data(await client.post(f"{API}/roles", json=body, headers=x_api_key(key["key"])), 201)
    [entry] = await audit_entries(client, state, admin.headers, targetId=role["id"])
    assert (entry["actorKind"], entry["actorId"], entry["keyId"]) == (
        "apikey",
        str(admin.id),
        key["id"],
    )
    [made] = await audit_entries(client, state, admin.headers, code="POST:/api/v1/auth/api-keys")
    hashes = [c for c in made["changes"] if c["field"] == "secret_hash"]
    assert [(c["old"], c["new"]) for c in hashes] == [(None, REDACTED)]
    assert key["key"] not in str(await raw_entries(state))
