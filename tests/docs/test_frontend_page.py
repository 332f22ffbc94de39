"""The frontend guide's complete page, exactly as docs/frontend-login.md prints it, in Chromium.

The block is extracted from the guide, served by a static server on another loopback origin
(``http://localhost:<port>``, the API being ``http://127.0.0.1:<port>``) next to the official
socket.io-client browser build, and driven like a person would: log in, see who you are, then
receive a notification sent through the API, live. Nothing outside loopback is reachable.
"""

from __future__ import annotations

import contextlib
import functools
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from atrium.config import Settings
from atrium.core.state import AppState
from tests.support import ROOT
from tests.support.browser import SQLITE_ONLY, chromium, socket_io_client
from tests.support.live import LiveServer, free_port
from tests.support.users import PASSWORD, bearer, create_user, tokens

GUIDE = ROOT / "docs" / "frontend-login.md"
PAGE = "atrium-login.html"
BLOCK = re.compile(r"<!-- page: atrium-login\.html[^>]*-->\n```html\n(.*?)\n```", re.DOTALL)
TIMEOUT_MS = 20_000


def guide_page() -> str:
    found = BLOCK.search(GUIDE.read_text(encoding="utf-8"))
    assert found, f"{GUIDE} lost its complete page block"
    return found.group(1)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def static_server(folder: Path, port: int) -> Iterator[str]:
    """``python3 -m http.server`` for ``folder``, on loopback, in a thread."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def page_port() -> int:
    return free_port()


@pytest.fixture
def settings(settings: Settings, page_port: int) -> Settings:
    """The API allows the page's origin, as the guide tells (ATRIUM_CORS__ALLOW_ORIGINS)."""
    settings.cors.allow_origins = [f"http://localhost:{page_port}"]
    return settings


def test_the_guide_has_one_page_block() -> None:
    page = guide_page()
    assert page.startswith("<!doctype html>")
    assert 'src="socket.io.min.js"' in page
    assert "http://" not in page.replace('"http://127.0.0.1:8000"', "")


@SQLITE_ONLY
async def test_the_guide_page_logs_in_and_gets_a_live_notification(
    live: LiveServer, page_port: int, tmp_path: Path
) -> None:
    state: AppState = live.app.state.atrium
    alice = await create_user(state, "alice")
    await create_user(state, "root", superuser=True)
    site = tmp_path / "site"
    site.mkdir()
    (site / PAGE).write_text(guide_page(), encoding="utf-8")
    shutil.copy(socket_io_client(), site / "socket.io.min.js")

    with static_server(site, page_port) as origin:
        async with chromium(tmp_path / "profile") as browser:
            page = await browser.page()
            await page.goto(f"{origin}/{PAGE}?api={live.url}")
            await page.fill("input[name=username]", "alice")
            await page.fill("input[name=password]", PASSWORD)
            await page.click("button[type=submit]")
            status = page.locator("#status")
            await page.locator("#status[data-live=yes]").wait_for(timeout=TIMEOUT_MS)
            assert await status.inner_text() == "Logged in as alice."

            async with httpx.AsyncClient(base_url=live.url) as http:
                admin = bearer((await tokens(http, "root"))["accessToken"])
                body = {"userIds": [str(alice.id)], "title": "Invoice paid", "body": "No. 42"}
                sent = await http.post("/api/v1/notifications/send", json=body, headers=admin)
                assert sent.status_code == 201, sent.text
            item = page.locator("#notifications li")
            await item.first.wait_for(timeout=TIMEOUT_MS)
            assert await item.all_inner_texts() == ["Invoice paid: No. 42"]
    assert browser.refused == [], browser.refused
    assert not [line for line in browser.console if line.startswith(("error", "pageerror"))], (
        browser.console
    )
