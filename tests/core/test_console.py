"""The console's files under /console: deep links answer the page, hashed assets are immutable,
missing files are 404s, an unbuilt console says how to build it, and none of it is an API route.

A small stand-in build (an index.html and one hashed asset) is served from a temporary folder:
what is tested is the serving, not the app (tests/console/ drive the real build in Chromium)."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from atrium.config import Settings
from atrium.core.console import CSP, IMMUTABLE
from atrium.main import create_app
from tests.support.browser import SQLITE_ONLY

pytestmark = SQLITE_ONLY
PAGE = "<!doctype html><title>Atrium Console</title>" + "<!-- padding -->" * 200
ASSET = "assets/index-3f2a9c1d.js"
SCRIPT = "console.log('the console');\n" * 100


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    (folder / ASSET).write_text(SCRIPT, encoding="utf-8")
    (folder / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("outside the build")
    return folder


async def _client(settings: Settings, dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings.console.dist_dir = dist
    transport = httpx.ASGITransport(app=create_app(settings), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def console(settings: Settings, dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for http in _client(settings, dist):
        yield http


@pytest.mark.parametrize(
    "path", ["/console/", "/console/system/users", "/console/login?next=/x", "/console/index.html"]
)
async def test_every_screen_path_answers_the_page_never_cached(
    console: httpx.AsyncClient, path: str
) -> None:
    response = await console.get(path)
    assert response.status_code == 200
    assert response.text == PAGE
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-security-policy"] == CSP
    assert "script-src 'self';" in CSP


async def test_the_bare_path_redirects_to_the_app(console: httpx.AsyncClient) -> None:
    response = await console.get("/console")
    assert response.status_code in (307, 308)
    assert response.headers["location"].endswith("/console/")


async def test_hashed_assets_are_immutable_and_compressed(console: httpx.AsyncClient) -> None:
    response = await console.get(f"/console/{ASSET}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.text == SCRIPT
    assert response.headers["cache-control"] == IMMUTABLE
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["content-encoding"] == "gzip"
    raw = await console.get(f"/console/{ASSET}", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert len(gzip.compress(SCRIPT.encode())) < len(raw.content)
    icon = await console.get("/console/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path",
    [
        "/console/assets/index-00000000.js",
        "/console/assets/",
        "/console/app.js",
        "/console/system/logo.png",
        "/console/../secret.txt",
        "/console/%2e%2e/secret.txt",
        "/console/assets/%2e%2e/%2e%2e/secret.txt",
    ],
)
async def test_missing_files_are_404_never_the_page(console: httpx.AsyncClient, path: str) -> None:
    response = await console.get(path)
    assert response.status_code == 404, path
    assert "outside the build" not in response.text
    assert PAGE not in response.text


async def test_only_reading_methods(console: httpx.AsyncClient) -> None:
    response = await console.post("/console/system/users")
    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"
    head = await console.head("/console/system/users")
    assert head.status_code == 200


async def test_an_unbuilt_console_says_how_to_build_it(settings: Settings, tmp_path: Path) -> None:
    async for http in _client(settings, tmp_path / "never-built"):
        for path in ("/console/", "/console/system/users", f"/console/{ASSET}"):
            response = await http.get(path)
            assert response.status_code == 404
            assert "The Atrium Console is not built" in response.text
            assert "make console" in response.text
            assert str(tmp_path) not in response.text  # no server path disclosed


async def test_the_console_is_not_an_api_route(settings: Settings, dist: Path) -> None:
    settings.console.dist_dir = dist
    app = create_app(settings)
    assert not [info for info in app.state.catalogue if info.path.startswith("/console")]
    assert not [path for path in app.openapi()["paths"] if path.startswith("/console")]
