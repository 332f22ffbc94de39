"""Real Chromium for tests: Debian's ``chromium`` package driven by Playwright, never a download.

``make test`` installs the package when it is missing (scripts/test.sh). Every page runs with
the network to the outside refused: a route handler lets only loopback requests through and
records the others, so a test can assert that a page needed nothing from the internet.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import BrowserContext, Page, Route, async_playwright

from tests.support import ROOT

# A browser test is about pages, not SQL backends: mark it to run on SQLite only.
SQLITE_ONLY = pytest.mark.parametrize("sql_url", ["sqlite"], indirect=True)
CHROMIUM = os.environ.get("ATRIUM_TEST_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The official socket.io-client browser build, fetched by `make test` from its npm package.
SOCKET_IO_JS = ROOT / "var/node/node_modules/socket.io-client/dist/socket.io.min.js"


def chromium_path() -> str:
    """The Chromium executable, or a failure that says how to get it."""
    found = shutil.which(CHROMIUM)
    if found is None:
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make test` (it installs Debian's chromium)")
    return found


def socket_io_client() -> Path:
    if not SOCKET_IO_JS.is_file():
        pytest.fail(f"{SOCKET_IO_JS} is missing: run `make test` (it fetches socket.io-client)")
    return SOCKET_IO_JS


def _loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Browser:
    """One fresh Chromium profile; ``refused`` lists every request it tried outside loopback."""

    context: BrowserContext
    refused: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    async def _guard(self, route: Route) -> None:
        if _loopback(route.request.url):
            await route.continue_()
        else:
            self.refused.append(route.request.url)
            await route.abort("internetdisconnected")

    async def page(self) -> Page:
        page = await self.context.new_page()
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))
        return page


@contextlib.asynccontextmanager
async def chromium(profile: Path) -> AsyncIterator[Browser]:
    """Headless Chromium with a fresh profile directory and no way out of loopback."""
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(profile), executable_path=chromium_path(), headless=True, args=FLAGS
        )
        browser = Browser(context)
        await context.route("**/*", browser._guard)
        try:
            yield browser
        finally:
            await context.close()
