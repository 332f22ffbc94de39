"""Calls of the account routes as a browser makes them (passwords RSA-encrypted)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.users import PASSWORD, sealed

ACCOUNTS = "/api/v1/accounts"


async def register(
    client: httpx.AsyncClient, username: str, email: str, password: str = PASSWORD
) -> httpx.Response:
    body = {"username": username, "email": email, **await sealed(client, password)}
    return await client.post(f"{ACCOUNTS}/register", json=body)


async def post(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], **kw: Any
) -> httpx.Response:
    return await client.post(f"{ACCOUNTS}{path}", json=body, **kw)


async def reset(client: httpx.AsyncClient, token: str, password: str = PASSWORD) -> httpx.Response:
    body = {"token": token, **await sealed(client, password)}
    return await client.post(f"{ACCOUNTS}/password/reset", json=body)
