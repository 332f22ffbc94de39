"""Second factors for tests: enrol and confirm over HTTP as an app would, read codes as an
authenticator app shows them, and pass the two-step login."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pyotp

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
