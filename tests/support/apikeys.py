"""API keys for tests: made through the API as their owner would (the current password
RSA-encrypted), and the headers that present them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx

from tests.support.users import PASSWORD, USER_AGENT, encrypt, public_key

OWN_KEYS = "/api/v1/auth/api-keys"
ALL_KEYS = "/api/v1/api-keys"


async def create_body(
    client: httpx.AsyncClient,
    scopes: Sequence[str],
    *,
    name: str = "ci",
    expires_at: datetime | None = None,
    password: str = PASSWORD,
) -> dict[str, Any]:
    key = await public_key(client)
    body: dict[str, Any] = {
        "name": name,
        "scopes": list(scopes),
        "password": encrypt(key["pem"], password),
        "kid": key["kid"],
    }
    if expires_at is not None:
        body["expiresAt"] = expires_at.isoformat()
    return body


async def try_create(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    scopes: Sequence[str],
    **kwargs: Any,
) -> httpx.Response:
    """Ask for a key (the answer, whatever it is)."""
    body = await create_body(client, scopes, **kwargs)
    return await client.post(OWN_KEYS, json=body, headers=headers)


async def create_key(
    client: httpx.AsyncClient, headers: dict[str, str], scopes: Sequence[str], **kwargs: Any
) -> dict[str, Any]:
    """Make a key (asserting success): the created key's fields, ``key`` among them."""
    response = await try_create(client, headers, scopes, **kwargs)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()["data"]
    return created


def with_key(key: str) -> dict[str, str]:
    """``Authorization: Bearer <key>``."""
    return {"Authorization": f"Bearer {key}", "User-Agent": USER_AGENT}


def x_api_key(key: str) -> dict[str, str]:
    """``X-API-Key: <key>``."""
    return {"X-API-Key": key, "User-Agent": USER_AGENT}
