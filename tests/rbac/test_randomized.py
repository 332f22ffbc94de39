"""A random sequence of grants, revokes, role and user disables across two instances: after
every change, every user's every probe is answered exactly as the rules say (zero stale allows,
zero stale denies), on both instances."""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from uuid import UUID

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from atrium.config import Settings
from atrium.core.state import AppState
from atrium.main import create_app
from tests.support.admin import API, Actor, actor, create_role, data, relogin, set_grants, set_roles

ALPHA = ("GET", f"{API}/probe/alpha")
BETA = ("GET", f"{API}/probe/beta")
ITEM = ("GET", f"{API}/probe/items/42")
DROP = ("DELETE", f"{API}/probe/items/42")
PROBES = (ALPHA, BETA, ITEM, DROP)
# Each grant and the probes it covers, written out by hand (an oracle independent of the code).
COVERS: dict[str, set[tuple[str, str]]] = {
    "GET:/api/v1/probe/alpha": {ALPHA},
    "GET:/api/v1/probe/beta": {BETA},
    "GET:/api/v1/probe/*": {ALPHA, BETA},
    "GET:/api/v1/probe/items/{item_id}": {ITEM},
    "*:/api/v1/probe/items/*": {ITEM, DROP},
    "DELETE:/api/v1/probe/**": {DROP},
}
STEPS = 36


@dataclass
class Model:
    grants: dict[UUID, set[str]] = field(default_factory=dict)
    role_active: dict[UUID, bool] = field(default_factory=dict)
    user_roles: dict[UUID, set[UUID]] = field(default_factory=dict)
    user_active: dict[UUID, bool] = field(default_factory=dict)

    def allowed(self, user_id: UUID, probe: tuple[str, str]) -> bool:
        return self.user_active[user_id] and any(
            self.role_active[role] and probe in COVERS[grant]
            for role in self.user_roles[user_id]
            for grant in self.grants[role]
        )


@pytest.fixture
async def second_app(settings: Settings, app: FastAPI) -> AsyncIterator[FastAPI]:
    other = create_app(settings)
    async with LifespanManager(other, startup_timeout=30, shutdown_timeout=30):
        yield other


class Run:
    def __init__(self, client: httpx.AsyncClient, admin: Actor, rng: random.Random) -> None:
        self.client, self.admin, self.rng = client, admin, rng
        self.model = Model()
        self.users: dict[UUID, Actor] = {}
        self.stale_login: set[UUID] = set()

    async def step(self) -> str:
        ops = [
            self.grant,
            self.revoke,
            self.assign,
            self.unassign,
            self.toggle_role,
            self.toggle_user,
        ]
        return await self.rng.choice(ops)()

    async def grant(self) -> str:
        role = self.rng.choice(list(self.model.grants))
        self.model.grants[role].add(self.rng.choice(list(COVERS)))
        await set_grants(self.client, self.admin, role, sorted(self.model.grants[role]))
        return f"grant {role}"

    async def revoke(self) -> str:
        role = self.rng.choice(list(self.model.grants))
        if self.model.grants[role]:
            self.model.grants[role].discard(self.rng.choice(sorted(self.model.grants[role])))
        await set_grants(self.client, self.admin, role, sorted(self.model.grants[role]))
        return f"revoke {role}"

    async def assign(self) -> str:
        user = self.rng.choice(list(self.users))
        self.model.user_roles[user].add(self.rng.choice(list(self.model.grants)))
        await set_roles(self.client, self.admin, user, sorted(self.model.user_roles[user]))
        return f"assign {user}"

    async def unassign(self) -> str:
        user = self.rng.choice(list(self.users))
        if self.model.user_roles[user]:
            self.model.user_roles[user].discard(
                self.rng.choice(sorted(self.model.user_roles[user]))
            )
        await set_roles(self.client, self.admin, user, sorted(self.model.user_roles[user]))
        return f"unassign {user}"

    async def toggle_role(self) -> str:
        role = self.rng.choice(list(self.model.role_active))
        self.model.role_active[role] = not self.model.role_active[role]
        status = "active" if self.model.role_active[role] else "disabled"
        url = f"{API}/roles/{role}"
        data(await self.client.patch(url, json={"status": status}, headers=self.admin.headers))
        return f"role {role} {status}"

    async def toggle_user(self) -> str:
        user = self.rng.choice(list(self.users))
        active = self.model.user_active[user] = not self.model.user_active[user]
        url = f"{API}/users/{user}/{'enable' if active else 'disable'}"
        data(await self.client.post(url, headers=self.admin.headers))
        if not active:
            self.stale_login.add(user)  # disabling ended their sessions
        return f"user {user} {'enabled' if active else 'disabled'}"

    async def check(self, nodes: list[httpx.AsyncClient], what: str) -> None:
        for user_id, who in self.users.items():
            if self.model.user_active[user_id] and user_id in self.stale_login:
                await relogin(self.client, who)
                self.stale_login.discard(user_id)
            for probe in PROBES:
                expected = self.model.allowed(user_id, probe)
                for node in nodes:
                    status = (await node.request(*probe, headers=who.headers)).status_code
                    assert (status == 200) is expected, f"after {what}: {probe} -> {status}"
                    assert status in (200, 403) or not self.model.user_active[user_id]


async def test_random_changes_never_leave_a_stale_allow(
    client: httpx.AsyncClient, state: AppState, second_app: FastAPI, sql_url: str
) -> None:
    seed = int(os.environ.get("RBAC_RANDOM_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    admin = await actor(client, state, "root", superuser=True)
    run = Run(client, admin, rng)
    for index in range(3):
        role = await create_role(client, admin, f"role{index}")
        run.model.grants[role], run.model.role_active[role] = set(), True
        who = await actor(client, state, f"user{index}")
        run.users[who.id] = who
        run.model.user_roles[who.id], run.model.user_active[who.id] = set(), True
    transport = httpx.ASGITransport(app=second_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        for step in range(STEPS):
            what = await run.step()
            await run.check([client, other], f"step {step} ({what}), seed {seed}")
