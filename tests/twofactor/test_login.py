"""The two-step login: a challenge instead of tokens, a code for the tokens, each code once."""

from __future__ import annotations

import asyncio

import httpx
from pwdlib.hashers.bcrypt import BcryptHasher
from sqlalchemy import update
from sqlmodel import col

from atrium.auth.documents import LoginLog
from atrium.core.state import AppState
from atrium.users import service as users_service
from atrium.users.models import User, UserStatus
from tests.support.twofactor import (
    challenge,
    code_at_step,
    current_step,
    enable,
    enrol,
    second_step,
)
from tests.support.users import PASSWORD, bearer, login, new_user

ME = "/api/v1/auth/me"


def _code(response: httpx.Response) -> str:
    return str(response.json()["code"])


async def test_a_code_logs_in_once_and_a_recovery_code_works_once(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    secret, recovery = await enable(client, bob.headers)
    assert len(recovery) == 10
    code = code_at_step(secret, current_step() + 1)  # the enrolment took the current step
    first = await second_step(client, {"challenge": await challenge(client, "bob"), "code": code})
    assert first.status_code == 200, first.text
    pair = first.json()["data"]
    assert (await client.get(ME, headers=bearer(pair["accessToken"]))).status_code == 200
    replayed = await second_step(
        client, {"challenge": await challenge(client, "bob"), "code": code}
    )
    assert (replayed.status_code, _code(replayed)) == (401, "TWOFACTOR_INVALID_CODE")
    used = {"challenge": await challenge(client, "bob"), "recoveryCode": recovery[0]}
    assert (await second_step(client, used)).status_code == 200
    again = {"challenge": await challenge(client, "bob"), "recoveryCode": recovery[0]}
    refused = await second_step(client, again)
    assert (refused.status_code, _code(refused)) == (401, "TWOFACTOR_INVALID_CODE")
    status = (await client.get("/api/v1/auth/second-factor", headers=bob.headers)).json()["data"]
    assert (status["enabled"], status["recoveryCodesLeft"]) == (True, 9)
    entries = await LoginLog.find(LoginLog.username == "bob").sort("+_id").to_list()
    outcomes = [(entry.method, entry.outcome.value, entry.reason) for entry in entries]
    assert ("password", "challenged", None) in outcomes
    assert ("totp", "success", None) in outcomes
    assert ("totp", "failure", "TWOFACTOR_INVALID_CODE") in outcomes
    assert ("recovery_code", "failure", "TWOFACTOR_INVALID_CODE") in outcomes


async def _pending_challenge_key(state: AppState) -> str:
    found = [key async for key in state.redis.scan_iter(match="*twofactor:challenge:*")]
    assert len(found) == 1
    return str(found[0])


async def test_a_tampered_expired_or_used_challenge_is_refused(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    secret, _ = await enable(client, bob.headers)
    code = code_at_step(secret, current_step() + 1)
    token = await challenge(client, "bob")
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for wrong in (tampered, "x" * 43, "not a challenge"):
        refused = await second_step(client, {"challenge": wrong, "code": code})
        assert (refused.status_code, _code(refused)) == (401, "TWOFACTOR_CHALLENGE_INVALID")
    assert (await second_step(client, {"challenge": token, "code": code})).status_code == 200
    used = await second_step(client, {"challenge": token, "code": code})
    assert (used.status_code, _code(used)) == (401, "TWOFACTOR_CHALLENGE_INVALID")
    expiring = await challenge(client, "bob")
    await state.redis.pexpire(await _pending_challenge_key(state), 1)
    await asyncio.sleep(0.05)
    later = code_at_step(secret, current_step() + 1)
    expired = await second_step(client, {"challenge": expiring, "code": later})
    assert (expired.status_code, _code(expired)) == (401, "TWOFACTOR_CHALLENGE_INVALID")


async def test_a_wrong_code_keeps_the_challenge_until_the_attempts_run_out(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    secret, _ = await enable(client, bob.headers)
    token = await challenge(client, "bob")
    wrong = "000000" if code_at_step(secret, current_step()) != "000000" else "111111"
    for _ in range(5):
        refused = await second_step(client, {"challenge": token, "code": wrong})
        assert _code(refused) == "TWOFACTOR_INVALID_CODE"
    limited = await second_step(
        client, {"challenge": token, "code": code_at_step(secret, current_step() + 1)}
    )
    assert (limited.status_code, _code(limited)) == (429, "TWOFACTOR_RATE_LIMITED")
    assert int(limited.headers["Retry-After"]) >= 1
    # A fresh challenge is a fresh count (the user's own limit is higher).
    fresh = await challenge(client, "bob")
    ok = await second_step(
        client, {"challenge": fresh, "code": code_at_step(secret, current_step() + 1)}
    )
    assert ok.status_code == 200, ok.text


async def test_both_or_neither_code_is_a_validation_error(
    client: httpx.AsyncClient, state: AppState
) -> None:
    for body in (
        {"challenge": "x"},
        {"challenge": "x", "code": "123456", "recoveryCode": "a" * 16},
    ):
        response = await second_step(client, body)
        assert (response.status_code, _code(response)) == (422, "VALIDATION_ERROR")


async def test_the_swagger_form_does_not_pass_the_second_factor(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    await enable(client, bob.headers)
    form = {"username": "bob", "password": PASSWORD}
    response = await client.post("/api/v1/auth/login/swagger", data=form)
    assert (response.status_code, _code(response)) == (403, "AUTH_SECOND_FACTOR_REQUIRED")
    assert "access_token" not in response.json()


async def test_a_pending_enrolment_guards_nothing(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    await enrol(client, bob.headers)
    answer = (await login(client, "bob")).json()["data"]
    assert "accessToken" in answer
    assert "secondFactorRequired" not in answer


async def test_the_openapi_documents_both_answers_of_step_one(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    components = schema["components"]["schemas"]
    answer = components["LoginResult"]["anyOf"]
    assert {ref["$ref"].rsplit("/", 1)[-1] for ref in answer} == {
        "TokenPair",
        "SecondFactorChallenge",
    }
    challenge_fields = components["SecondFactorChallenge"]["properties"]
    assert set(challenge_fields) == {"secondFactorRequired", "challenge", "expiresIn", "methods"}
    step_two = schema["paths"]["/api/v1/auth/second-factor/login"]["post"]
    assert step_two["x-access"] == "public"


async def test_refused_challenges_and_disabled_holders_are_in_the_login_log(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    secret, _ = await enable(client, bob.headers)
    unknown = "u" * 43
    refused = await second_step(client, {"challenge": unknown, "code": "123456"})
    assert _code(refused) == "TWOFACTOR_CHALLENGE_INVALID"
    [entry] = await LoginLog.find(LoginLog.reason == "TWOFACTOR_CHALLENGE_INVALID").to_list()
    assert (entry.user_id, entry.username, entry.method) == (None, "", "totp")
    assert entry.outcome.value == "failure"
    assert unknown not in entry.model_dump_json()
    token = await challenge(client, "bob")
    async with state.db.session() as session:
        user = await users_service.get(session, bob.user_id)
        assert user is not None
        await users_service.set_status(session, user, UserStatus.DISABLED)
    step = {"challenge": token, "code": code_at_step(secret, current_step() + 1)}
    disabled = await second_step(client, step)
    assert (disabled.status_code, _code(disabled)) == (403, "AUTH_USER_DISABLED")
    [entry] = await LoginLog.find(LoginLog.reason == "AUTH_USER_DISABLED").to_list()
    assert (entry.user_id, entry.username, entry.method) == (bob.user_id, "bob", "totp")
    assert token not in entry.model_dump_json()


async def test_a_bcrypt_hash_is_upgraded_at_step_one_when_a_challenge_follows(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    await enable(client, bob.headers)
    legacy = BcryptHasher(rounds=4).hash(PASSWORD)
    async with state.db.session() as session:
        statement = update(User).where(col(User.id) == bob.user_id).values(password_hash=legacy)
        await session.execute(statement)
    await challenge(client, "bob")
    async with state.db.session() as session:
        row = await users_service.get(session, bob.user_id)
        assert row is not None
        assert row.password_hash.startswith("$argon2id$")
    await challenge(client, "bob")  # the new hash verifies
