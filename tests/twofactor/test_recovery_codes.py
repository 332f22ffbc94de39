"""New recovery codes on demand: the password and a current TOTP code; ten new codes shown
once, the old ones all stop working."""

from __future__ import annotations

import httpx

from atrium.core.state import AppState
from atrium.twofactor.documents import FactorAction, SecondFactorEvent
from tests.support.admin import data
from tests.support.twofactor import (
    BASE,
    challenge,
    code_at_step,
    current_step,
    enable,
    proof,
    second_step,
)
from tests.support.users import new_user

CODES = f"{BASE}/recovery-codes"


def _code(response: httpx.Response) -> str:
    return str(response.json()["code"])


async def test_regenerating_replaces_every_recovery_code(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    secret, old = await enable(client, bob.headers)
    used = {"challenge": await challenge(client, "bob"), "recoveryCode": old[0]}
    assert (await second_step(client, used)).status_code == 200
    assert data(await client.get(BASE, headers=bob.headers))["recoveryCodesLeft"] == 9
    body = {**await proof(client), "code": code_at_step(secret, current_step() + 1)}
    answer = await client.post(CODES, json=body, headers=bob.headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    new = answer.json()["data"]["recoveryCodes"]
    assert len(set(new)) == 10
    assert not set(new) & set(old)
    assert data(await client.get(BASE, headers=bob.headers))["recoveryCodesLeft"] == 10
    stale = {"challenge": await challenge(client, "bob"), "recoveryCode": old[1]}
    refused = await second_step(client, stale)
    assert (refused.status_code, _code(refused)) == (401, "TWOFACTOR_INVALID_CODE")
    fresh = {"challenge": await challenge(client, "bob"), "recoveryCode": new[0]}
    assert (await second_step(client, fresh)).status_code == 200
    events = await SecondFactorEvent.find(SecondFactorEvent.user_id == bob.user_id).to_list()
    assert FactorAction.CODES_REGENERATED in [event.action for event in events]


async def test_regenerating_needs_the_password_and_a_current_totp_code(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    missing = await client.post(
        CODES, json={**await proof(client), "code": "123456"}, headers=bob.headers
    )
    assert (missing.status_code, _code(missing)) == (404, "TWOFACTOR_NOT_ENABLED")
    secret, old = await enable(client, bob.headers)
    code = code_at_step(secret, current_step() + 1)
    wrong = {**await proof(client, "not-the-password-1"), "code": code}
    refused = await client.post(CODES, json=wrong, headers=bob.headers)
    assert (refused.status_code, _code(refused)) == (401, "AUTH_INVALID_CREDENTIALS")
    recovery = {**await proof(client), "recoveryCode": old[0]}
    invalid = await client.post(CODES, json=recovery, headers=bob.headers)
    assert (invalid.status_code, _code(invalid)) == (422, "VALIDATION_ERROR")
    stale = {**await proof(client), "code": code_at_step(secret, current_step() - 5)}
    refused = await client.post(CODES, json=stale, headers=bob.headers)
    assert (refused.status_code, _code(refused)) == (401, "TWOFACTOR_INVALID_CODE")
    no_password = await client.post(CODES, json={"code": code}, headers=bob.headers)
    assert no_password.status_code == 422
    # Nothing changed: the old codes still work.
    assert data(await client.get(BASE, headers=bob.headers))["recoveryCodesLeft"] == 10
