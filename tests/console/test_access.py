"""What the console shows follows GET /auth/me: the menu tree makes the sidebar, button codes
decide the buttons, and a screen opened by its URL without the codes says "not allowed". The
same screens, for a superuser, show what the limited user does not (so the test can fail)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page

from atrium.core.state import AppState
from atrium.rbac.cli import seed_database
from tests.support.admin import API, Actor, create_role, data, set_roles
from tests.support.browser import SQLITE_ONLY, chromium
from tests.support.console import TIMEOUT_MS, log_in, open_screen
from tests.support.live import LiveServer
from tests.support.users import PASSWORD, bearer, create_user, tokens

pytestmark = SQLITE_ONLY
SUPPORT_GRANTS = [
    "GET:/api/v1/users",
    "POST:/api/v1/users/{user_id}/disable",
    "POST:/api/v1/users/{user_id}/enable",
]


async def _support_role(http: httpx.AsyncClient, admin: Actor) -> Any:
    """Users screen and its disable button, not the create button nor the online screen."""
    role = await create_role(http, admin, "support", SUPPORT_GRANTS)
    menus = data(await http.get(f"{API}/menus", headers=admin.headers))
    flat: list[dict[str, Any]] = []
    stack = list(menus)
    while stack:
        node = stack.pop()
        flat.append(node)
        stack.extend(node.get("children", []))
    screens = ("/system", "/system/users")
    wanted = [
        m["id"]
        for m in flat
        if m.get("routePath") in screens or m.get("buttonCode") == "users:disable"
    ]
    assert len(wanted) == 3, flat
    body = {"menuIds": wanted}
    data(await http.put(f"{API}/roles/{role}/menus", json=body, headers=admin.headers))
    return role


async def _users_screen(page: Page) -> None:
    await open_screen(page, "Users")
    await page.get_by_role("heading", name="Users").wait_for(timeout=TIMEOUT_MS)
    await page.get_by_test_id("users-table").locator("tbody tr").first.wait_for(timeout=TIMEOUT_MS)


async def test_a_limited_user_sees_only_what_their_codes_allow(
    live: LiveServer, tmp_path: Path
) -> None:
    state: AppState = live.app.state.atrium
    await seed_database(state.settings)
    root = await create_user(state, "root", superuser=True)
    carol = await create_user(state, "carol")
    await create_user(state, "dave")
    async with httpx.AsyncClient(base_url=live.url) as http:
        admin = Actor(root, bearer((await tokens(http, "root"))["accessToken"]))
        role = await _support_role(http, admin)
        await set_roles(http, admin, carol.id, [role])

    async with chromium(tmp_path / "carol") as browser:
        page = await browser.page()
        await log_in(page, live.url, "carol", PASSWORD)
        nav = page.get_by_role("navigation", name="Main navigation")
        assert await nav.get_by_role("link").all_inner_texts() == ["Home", "Notifications", "Users"]
        await _users_screen(page)
        assert await page.get_by_test_id("create-user").count() == 0
        toggle = page.get_by_test_id("toggle-dave")
        assert (await toggle.inner_text()).strip() == "Disable"
        await toggle.click()
        await page.get_by_text("dave is disabled and logged out everywhere.").wait_for(
            timeout=TIMEOUT_MS
        )
        assert (await toggle.inner_text()).strip() == "Enable"

        await page.goto(f"{live.url}/console/system/online")
        denied = page.get_by_test_id("not-allowed")
        await denied.wait_for(timeout=TIMEOUT_MS)
        assert "Not allowed" in await denied.inner_text()
        assert page.url.endswith("/console/system/online")
        await page.goto(f"{live.url}/console/no/such/screen")
        await page.get_by_test_id("not-found").wait_for(timeout=TIMEOUT_MS)
    assert browser.refused == [], browser.refused

    async with chromium(tmp_path / "root") as browser:
        page = await browser.page()
        await log_in(page, live.url, "root", PASSWORD)
        nav = page.get_by_role("navigation", name="Main navigation")
        links = await nav.get_by_role("link").all_inner_texts()
        assert {"Users", "Online users"} <= set(links), links
        await _users_screen(page)
        await page.get_by_test_id("create-user").click()
        dialog = page.get_by_role("dialog")
        await dialog.get_by_label("Username").fill("erin")
        await dialog.get_by_label("Email").fill("erin@example.com")
        await dialog.get_by_role("button", name="Save").click()
        await page.get_by_text("erin was created.").wait_for(timeout=TIMEOUT_MS)
        await page.get_by_role("cell", name="erin@example.com").wait_for(timeout=TIMEOUT_MS)
        search = page.get_by_role("search", name="Search users")
        await search.get_by_label("Search users").fill("dav")
        await search.get_by_label("Search users").press("Enter")
        await page.get_by_text("1 users").wait_for(timeout=TIMEOUT_MS)
        rows = page.get_by_test_id("users-table").locator("tbody tr")
        assert await rows.all_inner_texts() == [await rows.first.inner_text()]
        assert "dave@example.com" in await rows.first.inner_text()

        await open_screen(page, "Online users")
        await page.get_by_role("heading", name="Online users").wait_for(timeout=TIMEOUT_MS)
        await page.get_by_text("1 users, 1 sockets").wait_for(timeout=TIMEOUT_MS)
        assert await page.get_by_role("cell", name="root", exact=True).count() == 1
    assert browser.refused == [], browser.refused
