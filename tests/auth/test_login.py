"""Encrypted login: the browser's ciphertext logs in; anything else is refused with a clear code."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from pwdlib.hashers.bcrypt import BcryptHasher
from sqlalchemy import update
from sqlmodel import col

from atrium.auth import service as auth_service
from atrium.auth.documents import LoginLog
from atrium.auth.runtime import runtime
from atrium.auth.settings import AuthSettings
from atrium.core.state import AppState
from atrium.users import service as users_service
from atrium.users.models import User
from tests.support.users import (
    PASSWORD,
    USER_AGENT,
    bearer,
    create_user,
    encrypt,
    login,
    public_key,
    tokens,
)

LOGIN = "/api/v1/auth/login"
WEBCRYPTO_SCRIPT = Path(__file__).with_name("webcrypto_encrypt.mjs")


def _code(response: httpx.Response) -> str:
    return str(response.json()["code"])


async def _webcrypto_encrypt(pem_path: Path, payload: dict[str, Any]) -> str:
    process = await asyncio.create_subprocess_exec(
        "node",
        str(WEBCRYPTO_SCRIPT),
        str(pem_path),
        json.dumps(payload),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    return stdout.decode()


async def test_public_key_offers_pem_and_jwk(client: httpx.AsyncClient) -> None:
    key = await public_key(client)
    assert key["alg"] == "RSA-OAEP-256"
    assert key["pem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert key["jwk"]["kty"] == "RSA"
    assert key["jwk"]["kid"] == key["kid"]
    assert key["jwk"]["alg"] == "RSA-OAEP-256"


async def test_login_with_a_ciphertext_from_webcrypto(
    client: httpx.AsyncClient, state: AppState, tmp_path: Path
) -> None:
    await create_user(state, "alice")
    key = await public_key(client)
    pem_path = tmp_path / "public.pem"
    pem_path.write_text(key["pem"])
    payload = {"password": PASSWORD, "nonce": str(uuid4()), "ts": int(time.time())}
    ciphertext = await _webcrypto_encrypt(pem_path, payload)
    body = {"username": "alice", "password": ciphertext, "kid": key["kid"]}
    response = await client.post(LOGIN, json=body, headers={"User-Agent": USER_AGENT})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    data = response.json()["data"]
    assert data["tokenType"] == "bearer"
    assert data["expiresIn"] == state.settings.group(AuthSettings).access_token_ttl_seconds
    assert data["refreshExpiresIn"] == state.settings.group(AuthSettings).refresh_token_ttl_seconds
    me = await client.get("/api/v1/auth/me", headers=bearer(data["accessToken"]))
    assert me.status_code == 200
    assert me.json()["data"]["username"] == "alice"
    assert me.json()["data"]["lastLoginAt"] is not None


async def test_username_is_case_insensitive_and_email_works(
    client: httpx.AsyncClient, state: AppState
) -> None:
    await create_user(state, "Alice", email="Alice.Smith@Example.com")
    assert (await login(client, "ALICE")).status_code == 200
    assert (await login(client, "alice.smith@example.COM")).status_code == 200


async def test_a_replayed_login_is_refused(client: httpx.AsyncClient, state: AppState) -> None:
    await create_user(state, "alice")
    key = await public_key(client)
    captured = {"username": "alice", "password": encrypt(key["pem"], PASSWORD), "kid": key["kid"]}
    assert (await client.post(LOGIN, json=captured)).status_code == 200
    replay = await client.post(LOGIN, json=captured)
    assert replay.status_code == 400
    assert _code(replay) == "AUTH_REPLAYED_NONCE"


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda body, pem: {**body, "password": "bm90IGEgY2lwaGVydGV4dA=="}, "AUTH_DECRYPT_FAILED"),
        (lambda body, pem: {**body, "password": "***"}, "AUTH_DECRYPT_FAILED"),
        (lambda body, pem: {**body, "kid": "retired-key"}, "AUTH_UNKNOWN_KID"),
        (
            lambda body, pem: {**body, "password": encrypt(pem, PASSWORD, ts=time.time() - 3600)},
            "AUTH_TIMESTAMP_SKEW",
        ),
        (
            lambda body, pem: {**body, "password": encrypt(pem, PASSWORD, ts=time.time() + 3600)},
            "AUTH_TIMESTAMP_SKEW",
        ),
    ],
    ids=["garbage", "not-base64", "unknown-kid", "old-ts", "future-ts"],
)
async def test_bad_payloads_are_refused_with_a_clear_code(
    client: httpx.AsyncClient, state: AppState, mutate: Any, code: str
) -> None:
    await create_user(state, "alice")
    key = await public_key(client)
    body = {"username": "alice", "password": encrypt(key["pem"], PASSWORD), "kid": key["kid"]}
    response = await client.post(LOGIN, json=mutate(body, key["pem"]))
    assert response.status_code == 400
    assert _code(response) == code


async def test_unknown_user_and_wrong_password_look_the_same(
    client: httpx.AsyncClient, state: AppState, settings: Any
) -> None:
    await create_user(state, "alice")
    wrong = await login(client, "alice", "not-the-password-1")
    unknown = await login(client, "nobody", "not-the-password-1")
    assert wrong.status_code == unknown.status_code == 401
    assert _code(wrong) == _code(unknown) == "AUTH_INVALID_CREDENTIALS"
    assert wrong.json()["message"] == unknown.json()["message"]


async def test_unknown_user_costs_a_password_verification(state: AppState) -> None:
    """The timing side: an unknown user still pays for one full hash verification."""
    hasher = runtime(state).hasher
    user = await create_user(state, "alice")
    rounds = 20
    start = time.perf_counter()
    for _ in range(rounds):
        assert not (await hasher.verify("wrong-password-1", user.password_hash)).valid
    known = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(rounds):
        assert not (await hasher.verify("wrong-password-1", None)).valid
    unknown = time.perf_counter() - start
    assert 0.33 < unknown / known < 3.0


async def test_disabled_user_is_refused_and_kicked_out(
    client: httpx.AsyncClient, state: AppState
) -> None:
    user = await create_user(state, "alice")
    pair = await tokens(client, "alice")
    assert (await client.get("/api/v1/auth/me", headers=bearer(pair["accessToken"]))).is_success
    async with state.db.session() as session:
        row = await users_service.get(session, user.id)
        assert row is not None
        await auth_service.disable_user(runtime(state), session, row)
    refused = await client.get("/api/v1/auth/me", headers=bearer(pair["accessToken"]))
    assert refused.status_code == 401
    assert _code(refused) == "AUTH_TOKEN_REVOKED"
    again = await login(client, "alice")
    assert again.status_code == 403
    assert _code(again) == "AUTH_USER_DISABLED"
    wrong = await login(client, "alice", "not-the-password-1")
    assert _code(wrong) == "AUTH_INVALID_CREDENTIALS"  # disabled status only after the password


async def test_bcrypt_hash_verifies_and_is_upgraded_to_argon2(
    client: httpx.AsyncClient, state: AppState
) -> None:
    user = await create_user(state, "alice")
    legacy = BcryptHasher(rounds=4).hash(PASSWORD)
    async with state.db.session() as session:
        statement = update(User).where(col(User.id) == user.id).values(password_hash=legacy)
        await session.execute(statement)
    assert (await login(client, "alice")).status_code == 200
    async with state.db.session() as session:
        row = await users_service.get(session, user.id)
        assert row is not None
        assert row.password_hash.startswith("$argon2id$")
    assert (await login(client, "alice")).status_code == 200


async def test_every_attempt_is_logged(client: httpx.AsyncClient, state: AppState) -> None:
    user = await create_user(state, "alice")
    await login(client, "alice", "not-the-password-1")
    await login(client, "Alice")
    entries = await LoginLog.find({"username": "alice"}).sort("created_at").to_list()
    assert [(e.outcome, e.reason) for e in entries] == [
        ("failure", "AUTH_INVALID_CREDENTIALS"),
        ("success", None),
    ]
    assert entries[1].user_id == user.id
    assert entries[1].user_agent == USER_AGENT
    assert entries[1].ip_address == "127.0.0.1"
    assert entries[1].expires_at > entries[1].created_at


async def test_swagger_login_checks_the_password(
    client: httpx.AsyncClient, state: AppState
) -> None:
    await create_user(state, "alice")
    form = {"username": "alice", "password": PASSWORD, "grant_type": "password"}
    response = await client.post("/api/v1/auth/login/swagger", data=form)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["access_token"] == body["data"]["accessToken"]
    me = await client.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    wrong = await client.post(
        "/api/v1/auth/login/swagger", data={**form, "password": "not-it-at-all-1"}
    )
    assert wrong.status_code == 401
    assert _code(wrong) == "AUTH_INVALID_CREDENTIALS"
