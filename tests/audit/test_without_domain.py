"""The app without the audit domain: it starts, writes work unrecorded, the routes are gone and
the capability is not declared."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from atrium.audit.runtime import AUDIT
from atrium.config import Settings
from atrium.core.codes import declared
from atrium.core.routing import RouteCatalogue
from tests.support.admin import API, Actor
from tests.support.audit import ENTRIES

PACKAGE = "atrium.audit"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.domains = [name for name in settings.domains if name != PACKAGE]
    return settings


async def test_the_app_runs_without_the_audit_log(
    app: FastAPI, client: httpx.AsyncClient, admin: Actor
) -> None:
    created = await client.post(
        f"{API}/roles", json={"name": "Team", "code": "team"}, headers=admin.headers
    )
    assert created.status_code == 201, created.text
    listed = await client.get(ENTRIES, headers=admin.headers)
    assert (listed.status_code, listed.json()["code"]) == (404, "NOT_FOUND")
    catalogue: RouteCatalogue = app.state.catalogue
    assert catalogue.under(f"{API}/audit") == []
    assert "audit:read" not in {code.code for code in declared(app)}
    assert app.state.atrium.find(AUDIT) is None
