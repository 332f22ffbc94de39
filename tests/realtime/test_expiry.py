"""A token that expires while its socket is open: a warning, a refresh, or the end."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from atrium.auth.runtime import AUTH
from atrium.auth.settings import AuthSettings
from atrium.auth.tokens import ACCESS, TokenService
from atrium.config import Settings
from atrium.core.state import AppState
from atrium.realtime.settings import RealtimeSettings
from tests.support.live import LiveServer, probe
from tests.support.users import log_in, new_user


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.group(AuthSettings).access_token_ttl_seconds = 30
    settings.group(
        RealtimeSettings
    ).token_expiry_warning_seconds = 29  # the warning comes after ~1 s
    return settings


async def test_a_socket_is_warned_and_keeps_going_with_a_fresh_token(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    alice = await new_user(state, http, "alice")
    async with probe(live.url, alice.access) as client:
        warning = await client.next("auth:expiring", within=5)
        first_expiry = datetime.fromisoformat(warning["expiresAt"])
        fresh = await log_in(http, alice)
        ack = await client.call("auth:refresh", {"token": fresh.access})
        assert ack["code"] == "OK"
        assert datetime.fromisoformat(ack["data"]["expiresAt"]) >= first_expiry
        bob = await new_user(state, http, "bob")
        refused = await client.call("auth:refresh", {"token": bob.access})
        assert refused["code"] == "AUTH_USER_MISMATCH"
        assert client.client.connected


async def test_a_socket_whose_token_expires_is_told_and_disconnected(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    alice = await new_user(state, http, "alice")
    # A real session, and a token for it with a 2 s lifetime from the auth domain's own issuer
    # (the shortest configurable lifetime is 30 s).
    auth = state.get(AUTH)
    session_id = auth.tokens.read(ACCESS, alice.access).session_id
    issuer = TokenService(state.settings.group(AuthSettings))
    issuer.access_ttl = 2
    short = issuer.issue(ACCESS, alice.user_id, session_id).token
    async with probe(live.url, short) as client:
        ended = await client.next("auth:ended", within=6)
        assert ended == {"reason": "token_expired"}
        await client.disconnected.wait()
