"""Users for tests: created in the database, logged in for real (the encrypted login over HTTP),
given grants as an operator would.

Factories: ``create_user`` (the row), ``new_user`` (created and logged in), ``superuser``, and
``user_with_grants`` (logged in, holding a role with exactly those grants).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from atrium.core.security.passwords import PASSWORD_HASHER
from atrium.core.state import AppState
from atrium.users import service as users_service
from atrium.users.models import User
from atrium.users.schemas import UserCreate
from atrium.users.settings import PasswordSettings

PASSWORD = "correct-Horse-battery-9"
USER_AGENT = "Mozilla/5.0 (pytest) AtriumTest/1.0"
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def encrypt(pem: str, password: str, *, nonce: str | None = None, ts: float | None = None) -> str:
    """What a browser sends: base64(RSA-OAEP-SHA256(JSON {password, nonce, ts}))."""
    key = serialization.load_pem_public_key(pem.encode())
    assert isinstance(key, rsa.RSAPublicKey)
    payload = {"password": password, "nonce": nonce or uuid4().hex, "ts": ts or time.time()}
    return base64.b64encode(key.encrypt(json.dumps(payload).encode(), OAEP)).decode()


async def public_key(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/v1/auth/keys/public")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()["data"]
    return data


async def sealed(client: httpx.AsyncClient, password: str) -> dict[str, str]:
    """``{password, kid}`` as a browser sends a password to any route that takes one."""
    key = await public_key(client)
    return {"password": encrypt(key["pem"], password), "kid": key["kid"]}


async def set_password(state: AppState, user_id: UUID, password: str = PASSWORD) -> None:
    """Give a user a password as the operator would (an admin-created user has none to log in
    with until they follow their mail)."""
    policy = users_service.PasswordPolicy.from_settings(state.settings.group(PasswordSettings))
    async with state.db.session() as session:
        user = await users_service.get(session, user_id)
        assert user is not None
        await users_service.set_password(
            session, state.get(PASSWORD_HASHER), policy, user, password
        )


async def login(
    client: httpx.AsyncClient,
    username: str,
    password: str = PASSWORD,
    *,
    user_agent: str = USER_AGENT,
) -> httpx.Response:
    key = await public_key(client)
    body = {"username": username, "password": encrypt(key["pem"], password), "kid": key["kid"]}
    return await client.post("/api/v1/auth/login", json=body, headers={"User-Agent": user_agent})


async def tokens(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD, **kwargs: Any
) -> dict[str, Any]:
    """Log in and return the token pair (asserting success)."""
    response = await login(client, username, password, **kwargs)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def bearer(access_token: str, user_agent: str = USER_AGENT) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}", "User-Agent": user_agent}


async def create_user(
    state: AppState,
    username: str = "alice",
    password: str = PASSWORD,
    *,
    email: str | None = None,
    superuser: bool = False,
) -> User:
    policy = users_service.PasswordPolicy.from_settings(state.settings.group(PasswordSettings))
    data = UserCreate(
        username=username,
        email=email or f"{username}@example.com",
        password=password,
        is_superuser=superuser,
    )
    async with state.db.session() as session:
        return await users_service.create(session, state.get(PASSWORD_HASHER), policy, data)


@dataclass(frozen=True)
class LoggedIn:
    user_id: UUID
    username: str
    access: str
    refresh: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.access)


async def log_in(http: httpx.AsyncClient, user: LoggedIn) -> LoggedIn:
    """Another session of the same user."""
    pair = await tokens(http, user.username)
    return LoggedIn(user.user_id, user.username, pair["accessToken"], pair["refreshToken"])


async def new_user(
    state: AppState, http: httpx.AsyncClient, username: str, *, superuser: bool = False
) -> LoggedIn:
    """Create a user and log in (the real encrypted login over HTTP)."""
    user = await create_user(state, username, superuser=superuser)
    pair = await tokens(http, username)
    return LoggedIn(user.id, username, pair["accessToken"], pair["refreshToken"])


async def superuser(state: AppState, http: httpx.AsyncClient, username: str = "root") -> LoggedIn:
    """A superuser, logged in (they pass every permission check)."""
    return await new_user(state, http, username, superuser=True)


async def give_role(state: AppState, user_id: UUID, code: str, grants: Sequence[str] = ()) -> UUID:
    """Give a user a role (created if missing) holding ``grants``, as the operator would."""
    from atrium.rbac import repository
    from atrium.rbac.cache import ChangeSet
    from atrium.rbac.deps import PERMISSIONS
    from atrium.rbac.models import Role

    changes = ChangeSet()
    async with state.db.session() as session:
        role = await repository.role_by(session, code=code)
        if role is None:
            role = Role(name=code.title(), code=code)
            session.add(role)
            await session.flush()
        held = (await repository.grants_of_roles(session, [role.id]))[role.id]
        await repository.set_grants(session, role.id, {*held, *grants})
        await repository.add_user_role(session, user_id, role.id)
        role_id = role.id
    changes.users(user_id)
    await state.get(PERMISSIONS).invalidate(changes)
    return role_id


async def user_with_grants(
    state: AppState,
    http: httpx.AsyncClient,
    username: str,
    grants: Sequence[str],
    *,
    role: str | None = None,
) -> LoggedIn:
    """A user holding ``grants`` (route codes, patterns or capabilities) through one role
    (``role``, or one of their own), logged in."""
    user = await new_user(state, http, username)
    await give_role(state, user.user_id, role or f"{username}-grants", grants)
    return user


EVERYDAY_EVENTS = ("EVENT:messages:send", "EVENT:messages:read", "EVENT:notifications:read")


async def everyday_user(state: AppState, user_id: UUID) -> None:
    """The seeded ``user`` role's socket events (what every user of a stock install has)."""
    await give_role(state, user_id, "user", EVERYDAY_EVENTS)
