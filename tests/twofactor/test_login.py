"""The two-step login: a challenge instead of tokens, a code for the tokens, each code once."""

from __future__ import annotations

import httpx

from atrium.auth.documents import LoginLog
from atrium.core.state import AppState
from tests.support.twofactor import (
    challenge,
    code_at_step,
    current_step,
    enable,
    second_step,
)
from tests.support.users import bearer, new_user

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
