"""Logging in to the console as docs/frontend-login.md tells frontends: the page encrypts the
password with WebCrypto (no plain password on the wire), keeps the access token in memory only,
survives a reload through the refresh token, and logs out. The login page's weight and time to
interactive are measured here and printed."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, Response

from atrium.core.state import AppState
from tests.support.browser import SQLITE_ONLY, chromium
from tests.support.console import TIMEOUT_MS, log_in
from tests.support.live import LiveServer
from tests.support.twofactor import enable
from tests.support.users import PASSWORD, bearer, create_user, tokens

pytestmark = SQLITE_ONLY
JS_BUDGET_BYTES = 250 * 1024
INTERACTIVE_BUDGET_MS = 1500
REFRESH_URL = "/api/v1/auth/token/refresh"


async def _storage(page: Page) -> str:
    return str(
        await page.evaluate("() => JSON.stringify([{...localStorage}, {...sessionStorage}])")
    )


async def test_login_encrypts_keeps_the_access_token_in_memory_and_survives_a_reload(
    live: LiveServer, tmp_path: Path
) -> None:
    state: AppState = live.app.state.atrium
    await create_user(state, "alice")
    async with chromium(tmp_path / "profile") as browser:
        page = await browser.page()
        answers: list[Response] = []
        page.on("response", lambda r: answers.append(r) if "/api/v1/auth/" in r.url else None)
        sent = await log_in(page, live.url, "alice", PASSWORD)
        assert [request.method for request in sent] == ["POST"]
        body: dict[str, Any] = json.loads(sent[0].post_data or "{}")
        assert set(body) == {"username", "password", "kid"}
        assert body["username"] == "alice"
        assert PASSWORD not in (sent[0].post_data or "")
        assert len(base64.b64decode(body["password"])) >= 256  # an RSA ciphertext
        login = next(r for r in answers if r.url.endswith("/api/v1/auth/login"))
        pair = (await login.json())["data"]
        stored = await _storage(page)
        assert pair["accessToken"] not in stored  # memory only
        assert pair["refreshToken"] in stored  # the header form's one stored secret
        who = page.get_by_test_id("who")
        assert await who.inner_text() == "Signed in as alice"

        answers.clear()
        await page.reload()
        await page.get_by_test_id("welcome").wait_for(timeout=TIMEOUT_MS)
        refreshed = [r for r in answers if r.url.endswith(REFRESH_URL)]
        assert [r.status for r in refreshed] == [200]
        assert not [r for r in answers if r.url.endswith("/api/v1/auth/login")]
        assert pair["refreshToken"] not in await _storage(page)  # rotated

        await page.get_by_test_id("logout").click()
        await page.locator("input[name=username]").wait_for(timeout=TIMEOUT_MS)
        assert "atrium" not in await _storage(page)
        await page.goto(f"{live.url}/console/system/users")
        await page.locator("input[name=username]").wait_for(timeout=TIMEOUT_MS)
        assert "next=" in page.url
    assert browser.refused == [], browser.refused
    assert not [line for line in browser.console if line.startswith("pageerror")], browser.console


async def _measure(page: Page, url: str) -> tuple[float, int, int]:
    """Time to interactive (ms from navigation start until the form can be used) and the
    JavaScript it loaded: bytes on the wire (compressed) and decoded."""
    await page.goto(url)
    await page.locator("button[type=submit]:not([disabled])").wait_for(timeout=TIMEOUT_MS)
    await page.locator("input[name=username]").focus()
    ready: float = await page.evaluate("() => performance.now()")
    sizes: list[list[int]] = await page.evaluate(
        """() => performance.getEntriesByType("resource")
            .filter((e) => e.name.endsWith(".js"))
            .map((e) => [e.encodedBodySize, e.decodedBodySize])"""
    )
    return ready, sum(s[0] for s in sizes), sum(s[1] for s in sizes)


async def test_the_login_page_is_light_and_quick(live: LiveServer, tmp_path: Path) -> None:
    url = f"{live.url}/console/login"
    async with chromium(tmp_path / "profile") as browser:
        page = await browser.page()
        cdp = await browser.context.new_cdp_session(page)
        await cdp.send("Network.enable")
        await cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        await page.goto("about:blank")
        # Every run with a cold cache; a busy moment of a shared machine is measured again
        # (up to five runs), a page that is slow every time still fails.
        runs = [await _measure(page, url)]
        while runs[-1][0] > INTERACTIVE_BUDGET_MS and len(runs) < 5:
            runs.append(await _measure(page, url))
    best = min(run[0] for run in runs)
    _, wire, decoded = runs[0]
    print(
        f"\nconsole login page: JavaScript {wire / 1024:.1f} KB compressed "
        f"({decoded / 1024:.1f} KB decoded); interactive in {best:.0f} ms "
        f"(runs: {', '.join(f'{run[0]:.0f}' for run in runs)} ms)"
    )
    assert 0 < wire < decoded, "the JavaScript was not served compressed"
    assert wire <= JS_BUDGET_BYTES, wire
    assert best <= INTERACTIVE_BUDGET_MS, runs
    assert browser.refused == []


async def test_the_second_factor_step(live: LiveServer, tmp_path: Path) -> None:
    """A wrong password shows the API's error; a user with an authenticator is then asked for a
    code; a wrong one shows the API's error and may be retried; a recovery code logs in."""
    await create_user(live.app.state.atrium, "alice")
    async with httpx.AsyncClient(base_url=live.url) as http:
        access = (await tokens(http, "alice"))["accessToken"]
        _, recovery_codes = await enable(http, bearer(access))
    async with chromium(tmp_path / "profile") as browser:
        page = await browser.page()
        await page.goto(f"{live.url}/console/login")
        await page.locator("input[name=username]").fill("alice")
        await page.locator("input[name=password]").fill("not-the-password")
        await page.locator("button[type=submit]").click()
        alert = page.get_by_test_id("login-error")
        await alert.wait_for(timeout=TIMEOUT_MS)
        assert (await alert.inner_text()).strip() == "Wrong username or password."
        await page.locator("input[name=password]").fill(PASSWORD)
        await page.locator("button[type=submit]").click()
        code = page.locator("input[name=code]")
        await code.wait_for(timeout=TIMEOUT_MS)
        await code.fill("000000")
        await page.get_by_role("button", name="Verify").click()
        await page.get_by_text("Wrong code. Try again.").wait_for(timeout=TIMEOUT_MS)
        await page.get_by_role("button", name="Use a recovery code instead").click()
        await page.get_by_label("Recovery code").fill(recovery_codes[0])
        await page.get_by_role("button", name="Verify").click()
        await page.get_by_test_id("welcome").wait_for(timeout=TIMEOUT_MS)
    assert browser.refused == []


async def test_tabs_share_the_session_and_refresh_one_at_a_time(
    live: LiveServer, tmp_path: Path
) -> None:
    """Two tabs reloaded at once both resume, each refresh with the latest refresh token: were
    they not serialised, one would present a token the other had just spent, and the API would
    end the session (AUTH_REFRESH_REUSED). A logout in one tab then ends it in the other."""
    await create_user(live.app.state.atrium, "alice")
    async with chromium(tmp_path / "profile") as browser:
        first = await browser.page()
        await log_in(first, live.url, "alice", PASSWORD)
        second = await browser.page()
        await second.goto(f"{live.url}/console/")
        await second.get_by_test_id("welcome").wait_for(timeout=TIMEOUT_MS)
        refreshes: list[Response] = []
        for page in (first, second):
            page.on("response", lambda r: refreshes.append(r) if REFRESH_URL in r.url else None)
        for _ in range(2):
            await asyncio.gather(first.reload(), second.reload())
            for page in (first, second):
                await page.get_by_test_id("welcome").wait_for(timeout=TIMEOUT_MS)
        # One refresh a round, or two: a tab that waited for the lock may find the other's
        # new access token (shared over a BroadcastChannel) and not refresh at all.
        assert {r.status for r in refreshes} == {200}
        assert 2 <= len(refreshes) <= 4, len(refreshes)
        await first.get_by_test_id("logout").click()
        await second.locator("input[name=username]").wait_for(timeout=TIMEOUT_MS)
    assert browser.refused == []
