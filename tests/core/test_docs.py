"""Swagger UI and ReDoc from packaged assets: rendered in real Chromium with the internet cut."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from atrium.auth.settings import AuthSettings
from atrium.config import Environment, Settings
from atrium.core.docs import ASSETS_URL
from atrium.core.state import AppState
from atrium.main import create_app
from tests.support.browser import SQLITE_ONLY, chromium
from tests.support.live import LiveServer
from tests.support.settings import with_twofactor_key
from tests.support.users import PASSWORD, create_user

pytestmark = SQLITE_ONLY
RENDER_TIMEOUT_MS = 20_000


def _operations(schema: dict[str, Any]) -> int:
    return sum(len(item) for item in schema["paths"].values())


async def test_docs_pages_name_no_outside_url(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc"):
        page = (await client.get(path)).text
        assert "http://" not in page
        assert "https://" not in page, page
        assert f"{ASSETS_URL}/" in page
    asset = await client.get(f"{ASSETS_URL}/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert len(asset.content) > 500_000
    redoc = await client.get(f"{ASSETS_URL}/redoc.standalone.js")
    assert redoc.status_code == 200
    assert b"cdn.redoc.ly" not in redoc.content


def test_no_docs_outside_debug(settings: Settings) -> None:
    real = {"jwt_secret": SecretStr("p" * 64), "rsa_private_keys": {"k1": "unused.pem"}}
    settings.set_group(settings.group(AuthSettings).model_copy(update=real))
    with_twofactor_key(settings)
    settings.environment = Environment.PRODUCTION
    paths = {getattr(route, "path", "") for route in create_app(settings).routes}
    assert not paths & {"/docs", "/redoc", "/openapi.json", ASSETS_URL}


async def test_swagger_ui_renders_offline_and_logs_in(live: LiveServer, tmp_path: Path) -> None:
    state: AppState = live.app.state.atrium
    await create_user(state, "root", superuser=True)
    async with httpx.AsyncClient(base_url=live.url) as http:
        expected = _operations((await http.get("/openapi.json")).json())
    async with chromium(tmp_path / "profile") as browser:
        page = await browser.page()
        await page.goto(f"{live.url}/docs")
        await page.wait_for_selector(".opblock", timeout=RENDER_TIMEOUT_MS)
        assert await page.locator(".opblock").count() == expected
        assert await page.get_by_text("/api/v1/auth/me", exact=True).count() == 1

        # The Authorize button opens on the username/password form first.
        await page.locator(".btn.authorize").first.click()
        first = page.locator(".auth-container").first
        assert "OAuth2Password" in await first.inner_text()
        await first.locator("#oauth_username").fill("root")
        await first.locator("#oauth_password").fill(PASSWORD)
        await first.locator("button.authorize").click()
        await first.get_by_text("Logout").wait_for(timeout=RENDER_TIMEOUT_MS)
        stored = await page.evaluate("localStorage.getItem('authorized')")
    assert browser.refused == [], browser.refused
    token = json.loads(stored)["OAuth2Password"]["token"]["access_token"]
    async with httpx.AsyncClient(base_url=live.url) as http:
        me = await http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text


async def test_redoc_renders_offline(live: LiveServer, tmp_path: Path) -> None:
    async with chromium(tmp_path / "profile") as browser:
        page = await browser.page()
        await page.goto(f"{live.url}/redoc")
        await page.get_by_text("/api/v1/auth/me").first.wait_for(
            state="attached", timeout=RENDER_TIMEOUT_MS
        )
    assert browser.refused == [], browser.refused
