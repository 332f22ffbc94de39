"""Second factors for tests: enrol and confirm over HTTP as an app would, read codes as an
authenticator app shows them, and pass the two-step login."""

from __future__ import annotations

import time
from typing import Any
from uuid import UUID

import httpx
import pyotp

from atrium.core.state import AppState
from tests.support.admin import API, actor, create_role, data, set_roles
from tests.support.users import PASSWORD, USER_AGENT, encrypt, login, public_key

BASE = "/api/v1/auth/second-factor"
PERIOD = 30


def code_at_step(secret: str, step: int) -> str:
    """The code of one time step (what the app shows during it)."""
    return pyotp.TOTP(secret).generate_otp(step)


def current_step() -> int:
    return int(time.time()) // PERIOD


async def enrol(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.post(f"{BASE}/enrolment", headers=headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["data"]
    return found


async def enable(
    client: httpx.AsyncClient, headers: dict[str, str], password: str = PASSWORD
) -> tuple[str, list[str]]:
    """Enrol and confirm with the password and the current code: the secret and the recovery
    codes."""
    secret = (await enrol(client, headers))["secret"]
    body = {**await proof(client, password), "code": code_at_step(secret, current_step())}
    response = await client.post(f"{BASE}/enrolment/confirm", json=body, headers=headers)
    assert response.status_code == 200, response.text
    codes: list[str] = response.json()["data"]["recoveryCodes"]
    return secret, codes


async def challenge(client: httpx.AsyncClient, username: str) -> str:
    """Step one for a user with a second factor: the challenge (asserting no tokens came)."""
    response = await login(client, username)
    assert response.status_code == 200, response.text
    answer = response.json()["data"]
    assert answer["secondFactorRequired"] is True
    assert "accessToken" not in answer
    return str(answer["challenge"])


async def second_step(client: httpx.AsyncClient, body: dict[str, str]) -> httpx.Response:
    return await client.post(f"{BASE}/login", json=body, headers={"User-Agent": USER_AGENT})


async def proof(client: httpx.AsyncClient, password: str = PASSWORD) -> dict[str, str]:
    """``{password, kid}``: the current password, encrypted, as confirming, disabling and
    regenerating codes take it."""
    key = await public_key(client)
    return {"password": encrypt(key["pem"], password), "kid": key["kid"]}


async def requiring_role(client: httpx.AsyncClient, state: AppState, holder_id: UUID) -> UUID:
    """A role that requires a second factor, given to ``holder_id`` by a new superuser."""
    root = await actor(client, state, "root", superuser=True)
    role_id = await create_role(client, root, "operators", ["GET:/api/v1/probe/alpha"])
    patched = await client.patch(
        f"{API}/roles/{role_id}", json={"requireSecondFactor": True}, headers=root.headers
    )
    assert data(patched)["requireSecondFactor"] is True
    await set_roles(client, root, holder_id, [role_id])
    return role_id


def enrolment_ticket(response: httpx.Response) -> str:
    """The ticket of a ``403 TWOFACTOR_ENROLMENT_REQUIRED`` (asserting that is the answer)."""
    body = response.json()
    assert (response.status_code, body["code"]) == (403, "TWOFACTOR_ENROLMENT_REQUIRED")
    [detail] = body["details"]
    assert detail["type"] == "enrolment_ticket"
    return str(detail["message"])
