"""The app without the parameters domain (both SQL backends): it starts, its routes are 404s,
and accounts read the registration mode from their settings."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from atrium.accounts.settings import REGISTRATION, AccountsSettings, RegistrationMode
from atrium.config import Settings
from atrium.core.parameters import current
from atrium.core.state import AppState
from tests.support.admin import API, actor

PACKAGE = "atrium.parameters"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.domains = [name for name in settings.domains if name != PACKAGE]
    settings.set_group(AccountsSettings(registration=RegistrationMode.INVITE))
    return settings


async def test_the_app_runs_without_parameters(
    app: FastAPI, client: httpx.AsyncClient, state: AppState
) -> None:
    assert PACKAGE not in state.settings.domains
    root = await actor(client, state, "root", superuser=True)
    for method, url in (
        ("GET", f"{API}/parameters"),
        ("PATCH", f"{API}/parameters/accounts.registration"),
    ):
        answer = await client.request(method, url, headers=root.headers, json={})
        assert (answer.status_code, answer.json()["code"]) == (404, "NOT_FOUND"), url
    assert await current(state, REGISTRATION) == "invite"
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert not [path for path in paths if path.startswith(f"{API}/parameters")]
