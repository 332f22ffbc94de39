"""The guard with a key: every identity route refused, the warm path free of SQL and Redis, the
owner's status read on every request, and "last used" written in batches (never per request)."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from atrium.apikeys.models import ApiKey
from atrium.apikeys.runtime import APIKEYS
from atrium.core.ids import uuid7
from atrium.core.routing import Access, RouteCatalogue, RouteInfo
from atrium.core.state import AppState
from tests.support.admin import API
from tests.support.apikeys import create_key, with_key, x_api_key
from tests.support.traffic import traffic
from tests.support.users import USER_AGENT, superuser, user_with_grants

ALPHA = f"{API}/probe/alpha"


def _url(info: RouteInfo) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid7()), info.path)


async def test_a_key_is_refused_on_every_identity_route(
    app: FastAPI, client: httpx.AsyncClient, state: AppState
) -> None:
    catalogue: RouteCatalogue = app.state.catalogue
    identity = [i for i in catalogue.under(API) if i.identity and i.access is not Access.PUBLIC]
    paths = {info.path for info in identity}
    for expected in (
        f"{API}/auth/password",
        f"{API}/auth/sessions",
        f"{API}/auth/logout",
        f"{API}/auth/api-keys",
        f"{API}/api-keys/{{key_id}}/revoke",
        f"{API}/users/{{user_id}}/password",
    ):
        assert expected in paths, expected
    root = await superuser(state, client)
    key = (await create_key(client, root.headers, ["*:/api/v1/**"]))["key"]
    for info in identity:
        for headers in (with_key(key), x_api_key(key)):
            answer = await client.request(info.method, _url(info), headers=headers, json={})
            assert answer.status_code == 403, (info.code, answer.text)
            assert answer.json()["code"] == "AUTH_KEY_IDENTITY_ROUTE", info.code
    assert (await client.get(ALPHA, headers=with_key(key))).status_code == 200
    # Login logs are an administrator's read, not identity: the key's scope decides.
    logs = await client.get(f"{API}/auth/login-logs", headers=with_key(key))
    assert logs.status_code == 200


async def test_a_warm_key_touches_neither_redis_nor_the_database(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await user_with_grants(state, client, "bob", ["GET:/api/v1/probe/alpha"])
    key = (await create_key(client, bob.headers, ["GET:/api/v1/probe/alpha"]))["key"]
    assert (await client.get(ALPHA, headers=with_key(key))).status_code == 200  # warms up
    async with traffic(state) as seen:
        for _ in range(50):
            assert (await client.get(ALPHA, headers=x_api_key(key))).status_code == 200
    assert seen.statements == []
    assert seen.redis_commands <= 2  # the INFO call itself (and at most one stray health check)


async def test_last_used_is_written_in_one_batch_not_per_request(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await user_with_grants(state, client, "bob", ["GET:/api/v1/probe/alpha"])
    keys = [
        (await create_key(client, bob.headers, ["GET:/api/v1/probe/alpha"]))["key"]
        for _ in range(2)
    ]
    usage = state.get(APIKEYS).usage
    await usage.flush()
    writes = usage.writes
    for _ in range(20):
        for key in keys:
            assert (await client.get(ALPHA, headers=with_key(key))).status_code == 200
    async with state.db.session() as session:
        rows = (await session.execute(select(ApiKey))).scalars().all()
    assert [row.last_used_at for row in rows] == [None, None]  # nothing written per request
    assert usage.pending == 2
    await usage.flush()
    assert usage.writes == writes + 1  # one statement for both keys and forty requests
    assert usage.pending == 0
    listed = (await client.get("/api/v1/auth/api-keys", headers=bob.headers)).json()["data"]
    for item in listed["items"]:
        assert item["lastUsedAt"] is not None
        assert item["lastUsedIp"] == "127.0.0.1"
        assert item["lastUsedAgent"] == USER_AGENT


async def test_a_capability_needs_the_scope_as_well_as_the_owner(
    client: httpx.AsyncClient, state: AppState
) -> None:
    """``files:admin`` through a key: the key must name it, and its owner hold it."""
    eve = await user_with_grants(state, client, "eve", [])
    upload = {"file": ("notes.txt", b"eve's", "text/plain")}
    created = await client.post(f"{API}/files", files=upload, headers=eve.headers)
    assert created.status_code == 201, created.text
    url = f"{API}/files/{created.json()['data']['id']}"
    admin = await user_with_grants(state, client, "filesadmin", ["files:admin"])
    assert (await client.get(url, headers=admin.headers)).status_code == 200
    plain = (await create_key(client, admin.headers, ["GET:/api/v1/files/{file_id}"]))["key"]
    assert (await client.get(url, headers=with_key(plain))).status_code == 404  # not admin
    scope = ["GET:/api/v1/files/{file_id}", "files:admin"]
    both = (await create_key(client, admin.headers, scope))["key"]
    assert (await client.get(url, headers=with_key(both))).status_code == 200
