"""Access tokens: only a live, untampered token signed by us with the pinned algorithm passes."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import jwt
import pytest

from atrium.auth.settings import AuthSettings
from atrium.core.ids import uuid7
from atrium.core.state import AppState
from tests.support.users import bearer, create_user, tokens

ME = "/api/v1/auth/me"


def _code(response: httpx.Response) -> str:
    return str(response.json()["code"])


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


async def _access(client: httpx.AsyncClient, state: AppState) -> str:
    await create_user(state, "alice")
    pair = await tokens(client, "alice")
    return str(pair["accessToken"])


async def test_no_token_is_401_with_a_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get(ME)
    assert response.status_code == 401
    assert _code(response) == "AUTH_REQUIRED"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_access_token_claims(client: httpx.AsyncClient, state: AppState) -> None:
    claims = _claims(await _access(client, state))
    assert set(claims) >= {"sub", "sid", "jti", "iat", "exp", "typ"}
    assert claims["typ"] == "access"
    assert (
        claims["exp"] - claims["iat"] == state.settings.group(AuthSettings).access_token_ttl_seconds
    )


async def test_an_expired_token_is_refused(client: httpx.AsyncClient, state: AppState) -> None:
    claims = _claims(await _access(client, state))
    secret = state.settings.group(AuthSettings).jwt_secret.get_secret_value()
    past = {**claims, "iat": int(time.time()) - 120, "exp": int(time.time()) - 60}
    response = await client.get(ME, headers=bearer(jwt.encode(past, secret, "HS256")))
    assert response.status_code == 401
    assert _code(response) == "AUTH_TOKEN_EXPIRED"


async def test_a_tampered_token_is_refused(client: httpx.AsyncClient, state: AppState) -> None:
    header, payload, signature = (await _access(client, state)).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["exp"] += 3600  # the attacker wants a longer life
    forged = ".".join([header, _b64(json.dumps(claims).encode()), signature])
    response = await client.get(ME, headers=bearer(forged))
    assert response.status_code == 401
    assert _code(response) == "AUTH_TOKEN_INVALID"


async def test_an_alg_none_token_is_refused(client: httpx.AsyncClient, state: AppState) -> None:
    claims = _claims(await _access(client, state))
    unsigned = ".".join(
        [
            _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode()),
            _b64(json.dumps(claims).encode()),
            "",
        ]
    )
    response = await client.get(ME, headers=bearer(unsigned))
    assert response.status_code == 401
    assert _code(response) == "AUTH_TOKEN_INVALID"


@pytest.mark.parametrize("algorithm", ["HS256", "HS512"])
async def test_a_token_signed_with_another_key_is_refused(
    client: httpx.AsyncClient, state: AppState, algorithm: str
) -> None:
    claims = _claims(await _access(client, state))
    other = jwt.encode(claims, "another-secret-" + "x" * 64, algorithm)
    response = await client.get(ME, headers=bearer(other))
    assert response.status_code == 401
    assert _code(response) == "AUTH_TOKEN_INVALID"


async def test_a_refresh_token_is_not_an_access_token(
    client: httpx.AsyncClient, state: AppState
) -> None:
    await create_user(state, "alice")
    pair = await tokens(client, "alice")
    response = await client.get(ME, headers=bearer(pair["refreshToken"]))
    assert response.status_code == 401
    assert _code(response) == "AUTH_TOKEN_INVALID"


async def test_permission_routes_need_a_superuser_for_now(
    client: httpx.AsyncClient, state: AppState
) -> None:
    await create_user(state, "alice")
    await create_user(state, "root", superuser=True)
    alice = await tokens(client, "alice")
    root = await tokens(client, "root")
    refused = await client.get("/api/v1/auth/login-logs", headers=bearer(alice["accessToken"]))
    assert refused.status_code == 403
    assert _code(refused) == "PERMISSION_DENIED"
    allowed = await client.get("/api/v1/auth/login-logs", headers=bearer(root["accessToken"]))
    assert allowed.status_code == 200


# --- verified tokens: decoded once, expiry checked every time ---------------------------------


def _counting_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count PyJWT's decodes (the signature checks) from now on."""
    calls: list[str] = []
    real = jwt.decode

    def decode(token: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(token)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", decode)
    return calls


def test_a_verified_access_token_is_not_decoded_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from uuid import uuid4

    from atrium.auth.errors import AuthTokenInvalid
    from atrium.auth.tokens import ACCESS, REFRESH, TokenService

    service = TokenService(AuthSettings())
    issued = service.issue(ACCESS, uuid4(), "sid")
    decodes = _counting_decodes(monkeypatch)
    claims = [service.read(ACCESS, issued.token) for _ in range(5)]
    assert decodes == [issued.token]
    assert {c.jti for c in claims} == {issued.jti}
    with pytest.raises(AuthTokenInvalid):  # another string is verified from scratch
        service.read(ACCESS, issued.token[:-2] + ("AA" if issued.token[-2:] != "AA" else "BB"))
    with pytest.raises(AuthTokenInvalid):  # and a cached access token is no refresh token
        service.read(REFRESH, issued.token)
    assert len(decodes) == 3


def test_a_verified_token_is_refused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    from atrium.auth.errors import AuthTokenExpired
    from atrium.auth.tokens import ACCESS, TokenService

    settings = AuthSettings()
    service = TokenService(settings)
    now = int(time.time())
    claims = {"sub": str(uuid7()), "sid": "s", "jti": "j", "typ": ACCESS, "iat": now}
    token = jwt.encode({**claims, "exp": now + 2}, settings.jwt_secret.get_secret_value())
    service.read(ACCESS, token)
    decodes = _counting_decodes(monkeypatch)
    monkeypatch.setattr(time, "time", lambda: now + 2.0)  # the clock reaches exp
    with pytest.raises(AuthTokenExpired):
        service.read(ACCESS, token)
    assert decodes == []  # refused from the cache, on its recorded expiry
    assert len(service.verified) == 0


def test_the_verified_tokens_cache_is_bounded() -> None:
    from atrium.auth.tokens import TokenClaims, VerifiedTokens

    cache = VerifiedTokens(max_entries=3)
    for index in range(7):
        cache.remember(f"t{index}", TokenClaims(uuid7(), "s", str(index), 2**40))
        assert len(cache) <= 3
    assert cache.get("t6") is not None
