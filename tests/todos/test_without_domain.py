"""The app without the to-dos domain: it starts, its routes are 404s, its codes are not in the
catalogue, and the rest of the API works (both SQL backends)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from atrium.config import Settings
from atrium.core.codes import declared
from atrium.core.routing import RouteCatalogue
from tests.support.workspace import API, User

from .helpers import BASE, ROUTES

PACKAGE = "atrium.todos"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.domains = [name for name in settings.domains if name != PACKAGE]
    return settings


async def test_the_app_runs_without_to_dos(
    app: FastAPI, client: httpx.AsyncClient, admin: User
) -> None:
    assert PACKAGE not in app.state.atrium.settings.domains
    for method, template in ROUTES:
        url = template.format(todo_id="01a23d05-aaef-769f-9d9a-1f41432d797f")
        response = await client.request(method, url, headers=admin.headers, json={})
        assert (response.status_code, response.json()["code"]) in {
            (404, "NOT_FOUND"),
            (405, "METHOD_NOT_ALLOWED"),
        }, (method, template)
    catalogue: RouteCatalogue = app.state.catalogue
    assert catalogue.under(BASE) == []
    assert "todos:admin" not in {code.code for code in declared(app)}
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert not [path for path in paths if path.startswith(BASE)]
    me = await client.get(f"{API}/auth/me", headers=admin.headers)
    assert me.status_code == 200, me.text
