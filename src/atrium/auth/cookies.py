"""The refresh token as an httpOnly cookie, for browser frontends served from the API's origin.

A client asks for it per request with the header ``X-Refresh-Cookie: true`` on the routes that
issue tokens (login, the second factor's step two and ticket confirmation, refresh): the refresh
token is then set as ``{auth.refresh_cookie_name}=...; Max-Age=<refresh lifetime>;
Path=<api prefix>/auth/token/refresh; HttpOnly; Secure; SameSite=Strict`` and the JSON carries
``refreshToken: null`` with ``refreshCookie: true``. Scripts never read it, and the browser sends
it to the refresh route only.

Refresh reads the cookie when the body has no refresh token and the request carries the header:
a cross-site page can neither send the cookie (SameSite=Strict) nor add a custom header without a
CORS preflight the API does not grant, so a forged refresh cannot happen. Logout (and log out
everywhere) with the header clears the cookie. Without the header nothing changes: the body form
stays the default.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request, Response

from atrium.auth.schemas import TokenPair
from atrium.auth.settings import AuthSettings
from atrium.config import Settings

HEADER = "X-Refresh-Cookie"
REFRESH_ROUTE = "/auth/token/refresh"


async def wants_cookie(
    x_refresh_cookie: Annotated[
        bool,
        Header(
            alias=HEADER,
            description="true: the refresh token travels as an httpOnly cookie, not in the JSON",
        ),
    ] = False,
) -> bool:
    return x_refresh_cookie


RefreshCookieDep = Annotated[bool, Depends(wants_cookie)]


def path(settings: Settings) -> str:
    """The cookie's Path: the refresh route, the only one the browser sends it to."""
    return f"{settings.api_prefix}{REFRESH_ROUTE}"


def _set(response: Response, settings: Settings, value: str, max_age: int) -> None:
    name = settings.group(AuthSettings).refresh_cookie_name
    attributes = f"Max-Age={max_age}; Path={path(settings)}; HttpOnly; Secure; SameSite=Strict"
    response.headers.append("Set-Cookie", f"{name}={value}; {attributes}")


def deliver(response: Response, settings: Settings, tokens: TokenPair) -> TokenPair:
    """Set the refresh token as the cookie; the pair without it, for the JSON."""
    if tokens.refresh_token is None:
        return tokens
    _set(response, settings, tokens.refresh_token, tokens.refresh_expires_in)
    return tokens.model_copy(update={"refresh_token": None, "refresh_cookie": True})


def answer(response: Response, settings: Settings, tokens: TokenPair, cookie: bool) -> TokenPair:
    """The pair as the client asked for it: the refresh token in the JSON, or the cookie."""
    return deliver(response, settings, tokens) if cookie else tokens


def clear(response: Response, settings: Settings) -> None:
    """Tell the browser to drop the cookie (it need not send it: the name and Path suffice)."""
    _set(response, settings, "", 0)


def presented(request: Request, settings: Settings) -> str | None:
    """The refresh token the browser sent in the cookie, if any."""
    return request.cookies.get(settings.group(AuthSettings).refresh_cookie_name) or None
