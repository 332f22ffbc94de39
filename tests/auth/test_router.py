"""Route-level contract: the login log feed, OpenAPI security, the debug-only Swagger login."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from atrium.auth.settings import AuthSettings
from atrium.config import Environment, Settings
from atrium.core.security import rsa
from atrium.core.state import AppState
from atrium.main import create_app
from tests.support.settings import with_twofactor_key
from tests.support.users import bearer, create_user, login, tokens

LOGS = "/api/v1/auth/login-logs"


async def test_login_logs_are_cursor_paginated_newest_first(
    client: httpx.AsyncClient, state: AppState
) -> None:
    await create_user(state, "root", superuser=True)
    for _ in range(3):
        await login(client, "alice", "wrong-password-1")
    root = bearer((await tokens(client, "root"))["accessToken"])
    first = (await client.get(LOGS, params={"limit": 2}, headers=root)).json()["data"]
    assert [item["username"] for item in first["items"]] == ["root", "alice"]
    assert first["items"][0]["outcome"] == "success"
    second = (
        await client.get(LOGS, params={"limit": 2, "cursor": first["nextCursor"]}, headers=root)
    ).json()["data"]
    assert [item["reason"] for item in second["items"]] == ["AUTH_INVALID_CREDENTIALS"] * 2
    assert second["nextCursor"] is None
    failures = await client.get(
        LOGS, params={"username": "ALICE", "outcome": "failure"}, headers=root
    )
    assert len(failures.json()["data"]["items"]) == 3
    bad = await client.get(LOGS, params={"cursor": "not-a-cursor"}, headers=root)
    assert bad.status_code == 400


async def test_login_logs_are_searchable_like_the_audit_log(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root_user = await create_user(state, "root", superuser=True)
    await login(client, "alice", "wrong-password-1")
    root = bearer((await tokens(client, "root"))["accessToken"])
    everything = (await client.get(LOGS, headers=root)).json()["data"]["items"]
    newest, oldest = everything[0]["createdAt"], everything[-1]["createdAt"]

    async def usernames(**params: str) -> list[str]:
        response = await client.get(LOGS, params=params, headers=root)
        assert response.status_code == 200, response.text
        return [item["username"] for item in response.json()["data"]["items"]]

    assert await usernames(userId=str(root_user.id)) == ["root"]
    assert await usernames(ipAddress=everything[0]["ipAddress"]) == ["root", "alice"]
    assert await usernames(ipAddress="192.0.2.1") == []
    assert await usernames(**{"from": oldest, "to": newest}) == ["alice"]
    assert await usernames(**{"from": newest}) == ["root"]
    empty = await client.get(LOGS, params={"from": newest, "to": oldest}, headers=root)
    assert (empty.status_code, empty.json()["code"]) == (422, "LOGIN_LOG_RANGE_INVALID")


async def test_openapi_declares_bearer_and_the_swagger_password_flow(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["BearerAuth"]["scheme"] == "bearer"
    assert schemes["OAuth2Password"]["flows"]["password"]["tokenUrl"] == (
        "/api/v1/auth/login/swagger"
    )
    paths = schema["paths"]
    assert "security" in paths["/api/v1/auth/me"]["get"]
    assert "security" in paths["/api/v1/auth/login-logs"]["get"]
    assert paths["/api/v1/auth/login-logs"]["get"]["x-permission"] == "GET:/api/v1/auth/login-logs"
    assert "security" not in paths["/api/v1/auth/login"]["post"]


async def test_swagger_login_does_not_exist_in_production(settings: Settings) -> None:
    pem = rsa.private_pem(rsa.generate_private_key(2048)).decode()
    auth = settings.group(AuthSettings).model_copy(
        update={"jwt_secret": SecretStr("p" * 64), "rsa_private_keys": {"k1": pem}}
    )
    production = Settings.model_validate(
        {
            **settings.model_dump(),
            "environment": Environment.PRODUCTION,
            "storage": {**settings.storage.model_dump(), "secret_key": SecretStr("s" * 32)},
        }
    )
    production.set_group(auth)
    with_twofactor_key(production)
    app = create_app(production)  # no lifespan: routing alone decides a 404
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://prod") as http:
        form = {"username": "root", "password": "whatever", "grant_type": "password"}
        response = await http.post("/api/v1/auth/login/swagger", data=form)
    assert response.status_code == 404
    assert all("/login/swagger" not in info.path for info in app.state.catalogue)
