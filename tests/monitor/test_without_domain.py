"""The app without the monitor: it starts, writes no heartbeat, its routes are 404s and its
codes are not in the catalogue (both SQL backends)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from atrium.config import Settings
from atrium.core.codes import declared
from atrium.core.state import AppState
from tests.support.users import superuser

PACKAGE = "atrium.monitor"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.domains = [name for name in settings.domains if name != PACKAGE]
    return settings


async def test_the_app_runs_without_the_monitor(
    app: FastAPI, state: AppState, client: httpx.AsyncClient
) -> None:
    root = await superuser(state, client)
    for url in ("/api/v1/monitor", "/api/v1/monitor/nodes", "/api/v1/monitor/workers"):
        response = await client.get(url, headers=root.headers)
        assert (response.status_code, response.json()["code"]) == (404, "NOT_FOUND"), url
    codes = {code.code for code in declared(app)}
    assert not {"monitor:read", "EVENT:monitor:subscribe"} & codes
    assert [name async for name in state.redis.scan_iter(match="monitor:*")] == []
    assert (await client.get("/api/v1/auth/me", headers=root.headers)).status_code == 200
