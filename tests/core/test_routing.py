"""The route catalogue: full templates, declared access, codes equal to OpenAPI's paths."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from atrium.config import Settings
from atrium.core.routing import Access, RouteCatalogue, literal_prefixes, permission_code


@pytest.fixture(autouse=True)
def sample_domain(settings: Settings) -> None:
    settings.domains = [*settings.domains, "tests.core.sample_domain"]


def test_permission_code_format() -> None:
    assert permission_code("get", "/api/v1/users/{user_id}") == "GET:/api/v1/users/{user_id}"


async def test_catalogue_matches_openapi(app: FastAPI, client: httpx.AsyncClient) -> None:
    catalogue: RouteCatalogue = app.state.catalogue
    paths = (await client.get("/openapi.json")).json()["paths"]
    api = catalogue.under("/api/v1")
    assert api, "the catalogue found no API routes"
    for info in api:
        assert info.method.lower() in paths[info.path], info
        assert info.code == f"{info.method}:{info.path}"


async def test_access_levels_are_read_from_declarations(app: FastAPI) -> None:
    catalogue: RouteCatalogue = app.state.catalogue
    levels = {info.path: info.access for info in catalogue.under("/api/v1/sample")}
    assert levels["/api/v1/sample/boom"] is Access.PUBLIC
    assert levels["/api/v1/sample/protected"] is Access.PERMISSION


async def test_request_time_lookup_finds_the_full_template(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/sample/items/42/code")
    assert response.json()["data"] == "GET:/api/v1/sample/items/{item_id}/code"


def test_literal_prefixes_cut_at_the_first_segment() -> None:
    from fastapi import APIRouter

    router = APIRouter()
    router.get("/users/{user_id}")(lambda: None)
    router.get("/users")(lambda: None)
    router.get("/{anything}/x")(lambda: None)
    assert literal_prefixes(router, "/api/v1") == ("/api/v1", "/api/v1/users")


async def test_a_path_outside_every_domain_is_404_and_a_known_path_405(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/api/v1/samplex")).status_code == 404
    assert (await client.put("/api/v1/sample/items")).status_code == 405
