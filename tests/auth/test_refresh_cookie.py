"""The refresh token as an httpOnly cookie (``X-Refresh-Cookie: true``), through a client that
keeps cookies like a browser: exact attributes, rotation through the cookie, reuse refused like
the body form's, read only with the header, cleared on logout; the body form unchanged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from atrium.core.state import AppState
from tests.support.users import USER_AGENT, bearer, create_user, encrypt, public_key

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/token/refresh"
ME = "/api/v1/auth/me"
COOKIE = {"X-Refresh-Cookie": "true"}
NAME = "atrium_refresh"
ATTRIBUTES = "Path=/api/v1/auth/token/refresh; HttpOnly; Secure; SameSite=Strict"
TTL = 14 * 24 * 3600


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app over HTTPS that stores and sends cookies (Secure ones included)."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://testserver", headers={"User-Agent": USER_AGENT}
    ) as http:
        yield http


async def _login(http: httpx.AsyncClient, headers: dict[str, str] | None = None) -> httpx.Response:
    key = await public_key(http)
    body = {"username": "alice", "password": encrypt(key["pem"], "correct-Horse-battery-9")}
    response = await http.post(LOGIN, json={**body, "kid": key["kid"]}, headers=headers)
    assert response.status_code == 200, response.text
    return response


def _set_cookie(response: httpx.Response) -> str:
    [header] = response.headers.get_list("set-cookie")
    return header


def _cookie_value(response: httpx.Response) -> str:
    header = _set_cookie(response)
    assert header.startswith(f"{NAME}="), header
    return header.split(";", 1)[0].removeprefix(f"{NAME}=")


def _data(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["data"]
    return found


@pytest.fixture
async def alice(state: AppState) -> None:
    await create_user(state, "alice", "correct-Horse-battery-9")


@pytest.mark.usefixtures("alice")
async def test_login_sets_the_cookie_and_leaves_the_token_out_of_the_json(
    browser: httpx.AsyncClient,
) -> None:
    response = await _login(browser, COOKIE)
    token = _cookie_value(response)
    assert _set_cookie(response) == f"{NAME}={token}; Max-Age={TTL}; {ATTRIBUTES}"
    assert token.count(".") == 2  # the refresh JWT itself
    pair = _data(response)
    assert (pair["refreshToken"], pair["refreshCookie"]) == (None, True)
    assert token not in response.text
    assert (await browser.get(ME, headers=bearer(pair["accessToken"]))).status_code == 200
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.usefixtures("alice")
async def test_rotation_through_the_cookie_and_reuse_of_an_old_one(
    browser: httpx.AsyncClient,
) -> None:
    first = _cookie_value(await _login(browser, COOKIE))
    rotated = await browser.post(REFRESH, headers=COOKIE)  # the jar sends the cookie
    second = _cookie_value(rotated)
    assert second != first
    assert _set_cookie(rotated) == f"{NAME}={second}; Max-Age={TTL}; {ATTRIBUTES}"
    pair = _data(rotated)
    assert (pair["refreshToken"], pair["refreshCookie"]) == (None, True)
    assert (await browser.get(ME, headers=bearer(pair["accessToken"]))).status_code == 200
    third = _cookie_value(await browser.post(REFRESH, json={}, headers=COOKIE))
    browser.cookies.clear()
    replay = await browser.post(REFRESH, headers={**COOKIE, "Cookie": f"{NAME}={first}"})
    assert (replay.status_code, replay.json()["code"]) == (401, "AUTH_REFRESH_REUSED")
    after = await browser.post(REFRESH, headers={**COOKIE, "Cookie": f"{NAME}={third}"})
    assert (after.status_code, after.json()["code"]) == (401, "AUTH_TOKEN_REVOKED")


@pytest.mark.usefixtures("alice")
async def test_the_cookie_is_read_only_with_the_header(browser: httpx.AsyncClient) -> None:
    _cookie_value(await _login(browser, COOKIE))
    bodies: list[dict[str, str] | None] = [None, {}]
    for body in bodies:
        refused = await browser.post(REFRESH, json=body)
        assert (refused.status_code, refused.json()["code"]) == (401, "AUTH_REFRESH_TOKEN_MISSING")
    assert (await browser.post(REFRESH, headers=COOKIE)).status_code == 200  # still unspent
    browser.cookies.clear()
    none = await browser.post(REFRESH, headers=COOKIE)
    assert (none.status_code, none.json()["code"]) == (401, "AUTH_REFRESH_TOKEN_MISSING")
    bad = await browser.post(REFRESH, headers={"X-Refresh-Cookie": "maybe"})
    assert bad.status_code == 422


@pytest.mark.usefixtures("alice")
async def test_logout_clears_the_cookie(browser: httpx.AsyncClient) -> None:
    for route, method in (("/api/v1/auth/logout", "POST"), ("/api/v1/auth/sessions", "DELETE")):
        login = await _login(browser, COOKIE)
        token = _cookie_value(login)
        headers = {**bearer(_data(login)["accessToken"]), **COOKIE}
        out = await browser.request(method, route, headers=headers)
        assert out.status_code == 200, out.text
        assert _set_cookie(out) == f"{NAME}=; Max-Age=0; {ATTRIBUTES}"
        assert not browser.cookies
        dead = await browser.post(REFRESH, headers={**COOKIE, "Cookie": f"{NAME}={token}"})
        assert (dead.status_code, dead.json()["code"]) == (401, "AUTH_TOKEN_REVOKED")


@pytest.mark.usefixtures("alice")
async def test_the_body_form_is_unchanged_and_the_default(browser: httpx.AsyncClient) -> None:
    login = await _login(browser)
    assert "set-cookie" not in login.headers
    pair = _data(login)
    assert pair["refreshCookie"] is False
    rotated = await browser.post(REFRESH, json={"refreshToken": pair["refreshToken"]})
    assert "set-cookie" not in rotated.headers
    newer = _data(rotated)
    assert newer["refreshToken"] not in (None, pair["refreshToken"])
    out = await browser.post("/api/v1/auth/logout", headers=bearer(newer["accessToken"]))
    assert out.status_code == 200
    assert "set-cookie" not in out.headers
    # A token in the body wins over the cookie: that one is spent, the cookie's is not.
    in_cookie = _cookie_value(await _login(browser, COOKIE))
    in_body = _data(await _login(browser))["refreshToken"]
    both = await browser.post(REFRESH, json={"refreshToken": in_body}, headers=COOKIE)
    assert _data(both)["refreshCookie"] is True
    replay = await browser.post(REFRESH, json={"refreshToken": in_body})
    assert replay.json()["code"] == "AUTH_REFRESH_REUSED"
    browser.cookies.clear()
    kept = await browser.post(REFRESH, headers={**COOKIE, "Cookie": f"{NAME}={in_cookie}"})
    assert kept.status_code == 200
