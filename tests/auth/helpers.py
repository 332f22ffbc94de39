"""Helpers for tests that need users and logins (importable by other domains' tests)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from uuid import uuid4

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from atrium.auth.settings import AuthSettings
from atrium.config import Settings
from atrium.core.security.passwords import PASSWORD_HASHER
from atrium.core.state import AppState
from atrium.users import service as users_service
from atrium.users.models import User
from atrium.users.schemas import UserCreate
from atrium.users.settings import PasswordSettings

PASSWORD = "correct-Horse-battery-9"
USER_AGENT = "Mozilla/5.0 (pytest) AtriumTest/1.0"
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def fast_auth(settings: Settings, **overrides: Any) -> Settings:
    """Cheap Argon2 parameters (about 1 ms a hash) and any other auth overrides."""
    values: dict[str, Any] = {
        "password_hash_time_cost": 1,
        "password_hash_memory_kib": 1024,
        "password_hash_parallelism": 1,
        **overrides,
    }
    for model in (AuthSettings, PasswordSettings):
        mine = {name: value for name, value in values.items() if name in model.model_fields}
        settings.set_group(model.model_validate({**settings.group(model).model_dump(), **mine}))
    return settings


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
