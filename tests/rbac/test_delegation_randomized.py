"""Random admin actions by non-superusers never amplify anyone's powers.

A superuser hands out random roles (random grant sets from a small universe) to random users.
Then random non-superusers try random admin actions (every admin route: roles and grants of
roles, role status and code, password, email, status, sessions, user creation and deletion).
After every action, read back from the database:

- an action that went through acted only on an account whose grants the actor already covered
  (and never on a superuser), and handed out or took away only roles and grants it covered;
- no grant anywhere exceeds what the superuser granted, and nobody became a superuser.

Coverage is judged by a table written out by hand (an oracle independent of the code). The seed
is fixed (``RBAC_DELEGATION_SEED`` overrides it).
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import select

from atrium.core.state import AppState
from atrium.rbac.models import Role, RolePermission, UserRole
from atrium.users.models import User, UserStatus
from tests.support.admin import API, Actor, actor, create_role, data, set_roles
from tests.support.users import PASSWORD, USER_AGENT, bearer, login, sealed, set_password

SEED = int(os.environ.get("RBAC_DELEGATION_SEED", "20261202"))
STEPS = 120
NEW_PASSWORD = "another-Battery-staple-7"

PW = "POST:/api/v1/users/{user_id}/password"
PATCH_USER = "PATCH:/api/v1/users/{user_id}"
USER_ROLES = "PUT:/api/v1/users/{user_id}/roles"
DISABLE = "POST:/api/v1/users/{user_id}/disable"
ENABLE = "POST:/api/v1/users/{user_id}/enable"
KICK = "DELETE:/api/v1/users/{user_id}/sessions"
DELETE_USER = "DELETE:/api/v1/users/{user_id}"
CREATE_USER = "POST:/api/v1/users"
ROLE_GRANTS = "PUT:/api/v1/roles/{role_id}/permissions"
PATCH_ROLE = "PATCH:/api/v1/roles/{role_id}"
DELETE_ROLE = "DELETE:/api/v1/roles/{role_id}"
ROLE_MENUS = "PUT:/api/v1/roles/{role_id}/menus"
ALPHA = "GET:/api/v1/probe/alpha"
BETA = "GET:/api/v1/probe/beta"
PROBE_ONE = "GET:/api/v1/probe/*"
PROBE_ALL = "*:/api/v1/probe/**"
USERS_ALL = "*:/api/v1/users/**"
ROLES_ALL = "*:/api/v1/roles/**"
EVERYTHING = "*:/api/v1/**"
FILES_ADMIN = "files:admin"
USER_CODES = {PW, PATCH_USER, USER_ROLES, DISABLE, ENABLE, KICK, DELETE_USER, CREATE_USER}
ROLE_CODES = {ROLE_GRANTS, PATCH_ROLE, DELETE_ROLE, ROLE_MENUS}
# Each grant and what it covers (itself included), written out by hand.
COVERS: dict[str, set[str]] = {
    **{code: {code} for code in USER_CODES | ROLE_CODES | {ALPHA, BETA, FILES_ADMIN}},
    PROBE_ONE: {PROBE_ONE, ALPHA, BETA},
    PROBE_ALL: {PROBE_ALL, PROBE_ONE, ALPHA, BETA},
    USERS_ALL: {USERS_ALL} | USER_CODES,
    ROLES_ALL: {ROLES_ALL} | ROLE_CODES,
    EVERYTHING: {EVERYTHING, PROBE_ALL, PROBE_ONE, ALPHA, BETA, USERS_ALL, ROLES_ALL}
    | USER_CODES
    | ROLE_CODES,
}
UNIVERSE = sorted(COVERS)
ADMIN_CODES = sorted(USER_CODES | ROLE_CODES | {USERS_ALL, ROLES_ALL})
# Each kind of action and the route code it needs.
KINDS = {
    "grants": ROLE_GRANTS,
    "roles": USER_ROLES,
    "password": PW,
    "email": PATCH_USER,
    "disable": DISABLE,
    "enable": ENABLE,
    "kick": KICK,
    "delete": DELETE_USER,
    "create": CREATE_USER,
    "role_status": PATCH_ROLE,
    "role_code": PATCH_ROLE,
    "role_delete": DELETE_ROLE,
    "menus": ROLE_MENUS,
}


def covered(mine: set[str], wanted: set[str]) -> bool:
    return all(any(w in COVERS[g] for g in mine) for w in wanted)


@dataclass
class Truth:
    """The RBAC tables as stored now."""

    users: dict[UUID, User]
    roles: dict[UUID, Role]
    user_roles: dict[UUID, set[UUID]]
    grants: dict[UUID, set[str]]

    def all_grants(self, user_id: UUID) -> set[str]:
        return {g for role in self.user_roles.get(user_id, set()) for g in self.grants[role]}

    def effective(self, user_id: UUID) -> set[str]:
        user = self.users.get(user_id)
        if user is None or user.status != UserStatus.ACTIVE:
            return set()
        active = {
            r for r in self.user_roles.get(user_id, set()) if self.roles[r].status == "active"
        }
        return {g for role in active for g in self.grants[role]}


async def read_truth(state: AppState) -> Truth:
    async with state.db.session() as session:
        users = {u.id: u for u in (await session.execute(select(User))).scalars()}
        roles = {r.id: r for r in (await session.execute(select(Role))).scalars()}
        links = (await session.execute(select(UserRole))).scalars().all()
        grants_rows = (await session.execute(select(RolePermission))).scalars().all()
    user_roles: dict[UUID, set[UUID]] = {}
    for link in links:
        user_roles.setdefault(link.user_id, set()).add(link.role_id)
    grants: dict[UUID, set[str]] = {role_id: set() for role_id in roles}
    for row in grants_rows:
        grants[row.role_id].add(row.pattern)
    return Truth(users, roles, user_roles, grants)


@dataclass
class Run:
    client: httpx.AsyncClient
    state: AppState
    rng: random.Random
    root: Actor
    given_by_superuser: set[str]
    people: dict[UUID, dict[str, str]] = field(default_factory=dict)  # their headers
    usernames: dict[UUID, str] = field(default_factory=dict)
    passwords: dict[UUID, str] = field(default_factory=dict)
    stale: set[UUID] = field(default_factory=set)
    outcomes: dict[str, int] = field(default_factory=dict)
    created: int = 0

    async def headers(self, who: UUID) -> dict[str, str]:
        if who in self.stale:
            response = await login(self.client, self.usernames[who], self.passwords[who])
            assert response.status_code == 200, response.text
            self.people[who] = bearer(response.json()["data"]["accessToken"])
            self.stale.discard(who)
        return self.people[who]

    def pick_roles(self, truth: Truth) -> list[UUID]:
        return self.rng.sample(sorted(truth.roles), self.rng.randint(0, min(2, len(truth.roles))))

    async def step(self, index: int) -> None:
        before = await read_truth(self.state)
        actors = [
            uid
            for uid in sorted(self.people)
            if uid in before.users and before.users[uid].status == UserStatus.ACTIVE
        ]
        powerful = [uid for uid in actors if covered(before.effective(uid), {USER_ROLES})]
        powerful += [uid for uid in actors if covered(before.effective(uid), {ROLE_GRANTS})]
        who = self.rng.choice(powerful if powerful and self.rng.random() < 0.7 else actors)
        kind, method, url, body, target = self.action(before, who)
        sent = await sealed(self.client, NEW_PASSWORD) if kind == "password" else body
        response = await self.client.request(
            method, f"{API}{url}", json=sent, headers=await self.headers(who)
        )
        outcome = f"{kind}:{response.status_code}:{response.json().get('code')}"
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        where = f"step {index} (seed {SEED}): {kind} by {who} on {target}: {response.text}"
        assert response.status_code in (200, 201, 403, 404, 409, 422), where
        if response.status_code in (200, 201):
            self.check_allowed(before, who, kind, target, body, where)
            self.after_success(kind, target, body, response)
            if kind == "create":  # as the mailed link would (the accounts domain)
                await set_password(self.state, UUID(response.json()["data"]["id"]))
        await self.check_bounded(where)

    def action(
        self, truth: Truth, who: UUID
    ) -> tuple[str, str, str, dict[str, Any] | None, UUID | None]:
        users = sorted(truth.users)
        user = self.rng.choice(users)
        role = self.rng.choice(sorted(truth.roles)) if truth.roles else None
        mine = truth.effective(who)
        callable_kinds = [k for k, code in KINDS.items() if covered(mine, {code})]
        # Mostly what the actor may call (so the delegation rule is what decides), sometimes not.
        pool = callable_kinds if callable_kinds and self.rng.random() < 0.85 else list(KINDS)
        kind = self.rng.choice(sorted(pool))
        if kind in ("grants", "role_status", "role_code", "role_delete", "menus") and role is None:
            kind = "roles"
        if kind == "grants":
            source = sorted(mine) if mine and self.rng.random() < 0.6 else UNIVERSE
            grants = self.rng.sample(source, self.rng.randint(0, min(3, len(source))))
            return kind, "PUT", f"/roles/{role}/permissions", {"grants": grants}, role
        if kind == "roles":
            ids = [str(r) for r in self.pick_roles(truth)]
            return kind, "PUT", f"/users/{user}/roles", {"roleIds": ids}, user
        if kind == "password":
            return (
                kind,
                "POST",
                f"/users/{user}/password",
                {"password": NEW_PASSWORD},
                user,
            )  # sealed when sent
        if kind == "email":
            email = {"email": f"m{self.rng.randrange(10**6)}@example.com"}
            return kind, "PATCH", f"/users/{user}", email, user
        if kind in ("disable", "enable"):
            return kind, "POST", f"/users/{user}/{kind}", None, user
        if kind == "kick":
            return kind, "DELETE", f"/users/{user}/sessions", None, user
        if kind == "delete":
            return kind, "DELETE", f"/users/{user}", None, user
        if kind == "create":
            self.created += 1
            body: dict[str, Any] = {
                "username": f"made{self.created}",
                "email": f"made{self.created}@example.com",
                "roleIds": [str(r) for r in self.pick_roles(truth)],
                "isSuperuser": self.rng.random() < 0.3,
            }
            return kind, "POST", "/users", body, None
        if kind == "role_status":
            status = self.rng.choice(["active", "disabled"])
            return kind, "PATCH", f"/roles/{role}", {"status": status}, role
        if kind == "role_code":
            code = f"r{self.rng.randrange(10**6)}"
            return kind, "PATCH", f"/roles/{role}", {"code": code}, role
        if kind == "role_delete":
            return kind, "DELETE", f"/roles/{role}", None, role
        return kind, "PUT", f"/roles/{role}/menus", {"menuIds": []}, role

    def check_allowed(
        self,
        before: Truth,
        who: UUID,
        kind: str,
        target: UUID | None,
        body: dict[str, Any] | None,
        where: str,
    ) -> None:
        mine = before.effective(who)
        assert not before.users[who].is_superuser, where
        if kind in ("password", "email", "disable", "enable", "kick", "delete", "roles"):
            assert target is not None
            victim = before.users[target]
            assert not victim.is_superuser, f"a non-superuser acted on a superuser: {where}"
            if target != who:
                assert covered(mine, before.all_grants(target)), f"control beyond cover: {where}"
            if kind in ("disable", "enable", "delete", "roles"):
                assert target != who, f"changed itself: {where}"
        if kind == "roles":
            assert body is not None
            assert target is not None
            wanted = {UUID(r) for r in body["roleIds"]}
            for role in wanted ^ before.user_roles.get(target, set()):
                assert covered(mine, before.grants[role]), f"role beyond cover: {where}"
        if kind == "create":
            assert body is not None
            assert not body["isSuperuser"], f"a non-superuser made a superuser: {where}"
            for role in body["roleIds"]:
                assert covered(mine, before.grants[UUID(role)]), f"role beyond cover: {where}"
        if kind in ("grants", "role_status", "role_code", "role_delete", "menus"):
            assert target is not None
            assert covered(mine, before.grants[target]), f"role beyond cover (before): {where}"
        if kind == "grants":
            assert body is not None
            assert covered(mine, set(body["grants"])), f"grants beyond cover (after): {where}"

    def after_success(
        self, kind: str, target: UUID | None, body: dict[str, Any] | None, response: httpx.Response
    ) -> None:
        if target in self.people and kind in ("password", "disable", "kick"):
            self.stale.add(target)
            if kind == "password":
                self.passwords[target] = NEW_PASSWORD
        if kind == "create":
            created = response.json()["data"]
            user_id = UUID(created["id"])
            self.people[user_id], self.usernames[user_id] = {}, created["username"]
            self.passwords[user_id] = PASSWORD
            self.stale.add(user_id)

    async def check_bounded(self, where: str) -> None:
        truth = await read_truth(self.state)
        supers = [u.username for u in truth.users.values() if u.is_superuser]
        assert supers == ["root"], f"superusers changed: {where}"
        assert truth.users[self.root.id].status == UserStatus.ACTIVE, where
        for role_id, grants in truth.grants.items():
            assert covered(self.given_by_superuser, grants), (
                f"role {truth.roles[role_id].code} holds {grants}, more than the superuser "
                f"granted ({self.given_by_superuser}): {where}"
            )


async def _setup(client: httpx.AsyncClient, state: AppState, rng: random.Random) -> Run:
    root = await actor(client, state, "root", superuser=True)
    universe = [g for g in UNIVERSE if g != EVERYTHING or rng.random() < 0.5]
    given: set[str] = set()
    roles = []
    for index in range(5):
        grants = rng.sample(ADMIN_CODES, rng.randint(1, 4)) + rng.sample(universe, 2)
        given |= set(grants)
        roles.append(await create_role(client, root, f"role{index}", grants))
    run = Run(client, state, rng, root, given)
    for index in range(6):
        who = await actor(client, state, f"user{index}")
        await set_roles(client, root, who.id, rng.sample(roles, rng.randint(1, 2)))
        run.people[who.id], run.passwords[who.id] = who.headers, PASSWORD
        run.usernames[who.id] = who.user.username
    if rng.random() < 0.5:  # a disabled wide role someone may try to re-enable
        wide = await create_role(client, root, "dormant", [EVERYTHING])
        run.given_by_superuser.add(EVERYTHING)
        body = {"status": "disabled"}
        data(await client.patch(f"{API}/roles/{wide}", json=body, headers=root.headers))
    return run


async def test_random_admin_actions_never_amplify(
    client: httpx.AsyncClient, state: AppState
) -> None:
    rng = random.Random(SEED)
    run = await _setup(client, state, rng)
    for index in range(STEPS):
        await run.step(index)
    allowed = sum(n for outcome, n in run.outcomes.items() if ":20" in outcome)
    refused = sum(n for outcome, n in run.outcomes.items() if "DELEGATION" in outcome)
    assert allowed >= 10, run.outcomes  # the walk exercised real delegation ...
    assert refused >= 10, run.outcomes  # ... and real refusals
    root_login = await login(run.client, "root", PASSWORD, user_agent=USER_AGENT)
    assert root_login.status_code == 200
