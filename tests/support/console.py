"""The Atrium Console in a real browser: its build (``make test`` makes it), a live app serving
it, and the steps a person takes (log in, open a screen) written once."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, Request

from tests.support import ROOT

CONSOLE_DIST = ROOT / "console" / "dist"
TIMEOUT_MS = 20_000
LOGIN_URL = "/api/v1/auth/login"


def console_build() -> Path:
    """The built console, or a failure that says how to build it."""
    if not (CONSOLE_DIST / "index.html").is_file():
        pytest.fail(f"{CONSOLE_DIST} has no build: run `make console` (`make test` builds it)")
    return CONSOLE_DIST


async def log_in(page: Page, base: str, username: str, password: str) -> list[Request]:
    """Open the console, log in through its form; the login requests the page sent."""
    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request) if LOGIN_URL in request.url else None)
    await page.goto(f"{base}/console/")
    await page.locator("input[name=username]").fill(username)
    await page.locator("input[name=password]").fill(password)
    await page.locator("button[type=submit]").click()
    await page.get_by_test_id("welcome").wait_for(timeout=TIMEOUT_MS)
    return sent


async def open_screen(page: Page, name: str) -> None:
    """Follow the sidebar's link to a screen."""
    nav = page.get_by_role("navigation", name="Main navigation")
    await nav.get_by_role("link", name=name, exact=True).click()
