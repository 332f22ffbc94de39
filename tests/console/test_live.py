"""A notification an admin sends through the API appears at once in the bell of a user's open
console (Socket.IO, websocket transport, the in-memory access token), then in the feed, where
it is marked read."""

from __future__ import annotations

from pathlib import Path

import httpx

from atrium.core.state import AppState
from tests.support.browser import SQLITE_ONLY, chromium
from tests.support.console import TIMEOUT_MS, log_in
from tests.support.live import LiveServer
from tests.support.users import PASSWORD, bearer, create_user, tokens

pytestmark = SQLITE_ONLY


async def test_a_notification_reaches_the_open_console_live(
    live: LiveServer, tmp_path: Path
) -> None:
    state: AppState = live.app.state.atrium
    alice = await create_user(state, "alice")
    await create_user(state, "root", superuser=True)
    async with chromium(tmp_path / "profile") as browser:
        page = await browser.page()
        await log_in(page, live.url, "alice", PASSWORD)
        bell = page.get_by_test_id("bell")
        await bell.click()
        await page.locator("[data-live=yes]").wait_for(timeout=TIMEOUT_MS)
        assert await bell.get_attribute("aria-label") == "Notifications, 0 unread"

        async with httpx.AsyncClient(base_url=live.url) as http:
            admin = bearer((await tokens(http, "root"))["accessToken"])
            body = {"userIds": [str(alice.id)], "title": "Invoice paid", "body": "No. 42"}
            sent = await http.post("/api/v1/notifications/send", json=body, headers=admin)
            assert sent.status_code == 201, sent.text

        items = page.get_by_test_id("bell-items").locator("li")
        await items.first.wait_for(timeout=TIMEOUT_MS)
        assert "Invoice paid" in await items.first.inner_text()
        await page.locator('[data-testid=bell][aria-label="Notifications, 1 unread"]').wait_for(
            timeout=TIMEOUT_MS
        )

        await page.get_by_role("link", name="See all notifications").click()
        feed = page.get_by_test_id("feed").locator("li")
        await feed.first.wait_for(timeout=TIMEOUT_MS)
        assert "Invoice paid" in await feed.first.inner_text()
        await feed.first.get_by_role("button", name="Mark read").click()
        await page.locator('[data-testid=bell][aria-label="Notifications, 0 unread"]').wait_for(
            timeout=TIMEOUT_MS
        )
    assert browser.refused == [], browser.refused
    assert not [line for line in browser.console if line.startswith("pageerror")], browser.console
