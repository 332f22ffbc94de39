"""Enrolment: a pending factor with its secret, URI and QR code; confirmed by a code, answering
recovery codes once; the secret encrypted at rest; disabling with password and code; never
through an API key."""

from __future__ import annotations

import asyncio
import re
from uuid import uuid4

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from atrium.core.ratelimit import rate_limit
from atrium.core.routing import Access, RouteCatalogue
from atrium.core.state import AppState
from atrium.mail.documents import MailLog
from atrium.twofactor.documents import FactorAction, SecondFactorEvent
from atrium.twofactor.models import RecoveryCode, SecondFactor
from atrium.twofactor.runtime import TWOFACTOR
from tests.support.admin import API
from tests.support.apikeys import create_key, with_key, x_api_key
from tests.support.twofactor import (
    BASE,
    code_at_step,
    current_step,
    enable,
    enrol,
    proof,
)
from tests.support.users import login, new_user, superuser

OWN_ROUTES = {
    ("GET", BASE),
    ("POST", f"{BASE}/enrolment"),
    ("POST", f"{BASE}/enrolment/confirm"),
    ("POST", f"{BASE}/disable"),
    ("POST", f"{BASE}/recovery-codes"),
    ("DELETE", f"{API}/users/{{user_id}}/second-factor"),
}


def _code(response: httpx.Response) -> str:
    return str(response.json()["code"])


async def test_enrolment_answers_the_secret_uri_and_qr_code_and_activates_on_a_code(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    started = await enrol(client, bob.headers)
    secret = started["secret"]
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert started["otpauthUri"].startswith("otpauth://totp/Atrium:bob%40example.com?")
    assert f"secret={secret}" in started["otpauthUri"]
    assert started["qrSvg"].lstrip().startswith("<svg")
    assert "</svg>" in started["qrSvg"]
    status = (await client.get(BASE, headers=bob.headers)).json()["data"]
    assert (status["enabled"], status["pending"]) == (False, True)
    wrong = await client.post(
        f"{BASE}/enrolment/confirm",
        json={**await proof(client), "code": "12345"},
        headers=bob.headers,
    )
    assert wrong.status_code == 422
    bad = code_at_step(secret, current_step() + 5)
    refused = await client.post(
        f"{BASE}/enrolment/confirm", json={**await proof(client), "code": bad}, headers=bob.headers
    )
    assert (refused.status_code, _code(refused)) == (401, "TWOFACTOR_INVALID_CODE")
    body = {**await proof(client), "code": code_at_step(secret, current_step())}
    confirmed = await client.post(f"{BASE}/enrolment/confirm", json=body, headers=bob.headers)
    assert confirmed.status_code == 200, confirmed.text
    codes = confirmed.json()["data"]["recoveryCodes"]
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){3}", code) for code in codes)
    status = (await client.get(BASE, headers=bob.headers)).json()["data"]
    assert (status["enabled"], status["pending"], status["recoveryCodesLeft"]) == (True, False, 10)
    again = await client.post(f"{BASE}/enrolment", headers=bob.headers)
    assert (again.status_code, _code(again)) == (409, "TWOFACTOR_ALREADY_ENABLED")
    events = await SecondFactorEvent.find(SecondFactorEvent.user_id == bob.user_id).to_list()
    assert [event.action for event in events] == [FactorAction.ENABLED]


async def test_the_secret_and_recovery_codes_are_not_stored_in_clear(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    secret, codes = await enable(client, bob.headers)
    async with state.db.session() as session:
        row = (await session.execute(select(SecondFactor))).scalar_one()
        hashes = [
            code.code_hash for code in (await session.execute(select(RecoveryCode))).scalars()
        ]
    assert row.user_id == bob.user_id
    assert secret not in row.secret
    assert row.secret.startswith("gAAAAA")  # a Fernet token
    assert len(hashes) == 10
    stored = " ".join(hashes)
    assert not any(code.replace("-", "") in stored or code in stored for code in codes)


async def test_confirming_without_an_enrolment_is_a_clear_error(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    body = {**await proof(client), "code": "123456"}
    response = await client.post(f"{BASE}/enrolment/confirm", json=body, headers=bob.headers)
    assert (response.status_code, _code(response)) == (400, "TWOFACTOR_NOT_ENROLLED")


async def test_disabling_needs_the_password_and_a_current_code(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    secret, codes = await enable(client, bob.headers)
    code = code_at_step(secret, current_step() + 1)
    wrong_password = {**await proof(client, "not-the-password-1"), "code": code}
    refused = await client.post(f"{BASE}/disable", json=wrong_password, headers=bob.headers)
    assert (refused.status_code, _code(refused)) == (401, "AUTH_INVALID_CREDENTIALS")
    stale = {**await proof(client), "code": code_at_step(secret, current_step() - 5)}
    refused = await client.post(f"{BASE}/disable", json=stale, headers=bob.headers)
    assert (refused.status_code, _code(refused)) == (401, "TWOFACTOR_INVALID_CODE")
    body = {**await proof(client), "recoveryCode": codes[3]}
    done = await client.post(f"{BASE}/disable", json=body, headers=bob.headers)
    assert done.status_code == 200, done.text
    assert "accessToken" in (await login(client, "bob")).json()["data"]
    status = (await client.get(BASE, headers=bob.headers)).json()["data"]
    assert (status["enabled"], status["recoveryCodesLeft"]) == (False, 0)
    again = await client.post(f"{BASE}/disable", json=body, headers=bob.headers)
    assert (again.status_code, _code(again)) == (404, "TWOFACTOR_NOT_ENABLED")


async def test_an_api_key_is_refused_on_every_second_factor_route(
    app: FastAPI, client: httpx.AsyncClient, state: AppState
) -> None:
    catalogue: RouteCatalogue = app.state.catalogue
    mine = [info for info in catalogue if (info.method, info.path) in OWN_ROUTES]
    assert {(info.method, info.path) for info in mine} == OWN_ROUTES
    assert all(info.identity and info.access is not Access.PUBLIC for info in mine)
    root = await superuser(state, client)
    key = (await create_key(client, root.headers, ["*:/api/v1/**"]))["key"]
    for info in mine:
        url = info.path.replace("{user_id}", str(uuid4()))
        for headers in (with_key(key), x_api_key(key)):
            answer = await client.request(info.method, url, headers=headers, json={})
            assert (answer.status_code, _code(answer)) == (403, "AUTH_KEY_IDENTITY_ROUTE"), url


async def test_guessing_codes_to_disable_a_factor_is_rate_limited(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    secret, _ = await enable(client, bob.headers)
    state.get(TWOFACTOR).per_user = rate_limit("3/minute")
    guesses = []
    for _ in range(4):
        body = {**await proof(client), "code": code_at_step(secret, current_step() - 9)}
        guesses.append(await client.post(f"{BASE}/disable", json=body, headers=bob.headers))
    assert [_code(answer) for answer in guesses] == [
        *["TWOFACTOR_INVALID_CODE"] * 3,
        "TWOFACTOR_RATE_LIMITED",
    ]
    assert guesses[-1].status_code == 429
    assert int(guesses[-1].headers["Retry-After"]) >= 1
    status = (await client.get(BASE, headers=bob.headers)).json()["data"]
    assert status["enabled"] is True


async def test_a_stolen_access_token_alone_cannot_confirm_an_enrolment(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    secret = (await enrol(client, bob.headers))["secret"]
    code = code_at_step(secret, current_step())
    bare = await client.post(f"{BASE}/enrolment/confirm", json={"code": code}, headers=bob.headers)
    assert (bare.status_code, _code(bare)) == (422, "VALIDATION_ERROR")
    wrong = {**await proof(client, "not-the-password-1"), "code": code}
    refused = await client.post(f"{BASE}/enrolment/confirm", json=wrong, headers=bob.headers)
    assert (refused.status_code, _code(refused)) == (401, "AUTH_INVALID_CREDENTIALS")
    status = (await client.get(BASE, headers=bob.headers)).json()["data"]
    assert (status["enabled"], status["pending"]) == (False, True)


async def test_two_first_enrolments_at_once_leave_one_pending_factor_and_no_server_error(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    answers = await asyncio.gather(
        *(client.post(f"{BASE}/enrolment", headers=bob.headers) for _ in range(2))
    )
    outcomes = sorted((answer.status_code, answer.json()["code"]) for answer in answers)
    conflict = (409, "TWOFACTOR_ENROLMENT_CONFLICT")
    assert outcomes in ([(200, "OK"), (200, "OK")], [(200, "OK"), conflict])
    async with state.db.session() as session:
        rows = list((await session.execute(select(SecondFactor))).scalars())
    assert [row.user_id for row in rows] == [bob.user_id]
    # The stored secret is the one an answer showed: confirming it works.
    shown = [answer.json()["data"]["secret"] for answer in answers if answer.status_code == 200]
    stored = state.get(TWOFACTOR).box.open(rows[0].secret)
    assert stored in shown
    secret = stored
    body = {**await proof(client), "code": code_at_step(secret, current_step())}
    confirmed = await client.post(f"{BASE}/enrolment/confirm", json=body, headers=bob.headers)
    assert confirmed.status_code == 200, confirmed.text


async def test_the_owner_is_mailed_when_a_factor_is_enabled_renewed_or_disabled(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    secret = (await enrol(client, bob.headers))["secret"]
    failed = {**await proof(client), "code": code_at_step(secret, current_step() + 5)}
    await client.post(f"{BASE}/enrolment/confirm", json=failed, headers=bob.headers)
    assert await MailLog.find(MailLog.to == ["bob@example.com"]).to_list() == []
    codes: list[str] = []
    for offset, path in enumerate(("enrolment/confirm", "recovery-codes")):
        body = {**await proof(client), "code": code_at_step(secret, current_step() + offset)}
        answer = await client.post(f"{BASE}/{path}", json=body, headers=bob.headers)
        assert answer.status_code == 200, answer.text
        codes = answer.json()["data"]["recoveryCodes"]
    off = {**await proof(client), "recoveryCode": codes[0]}
    disabled = await client.post(f"{BASE}/disable", json=off, headers=bob.headers)
    assert disabled.status_code == 200, disabled.text
    mails = await MailLog.find(MailLog.to == ["bob@example.com"]).sort("+_id").to_list()
    assert [(mail.template, mail.subject) for mail in mails] == [
        ("second_factor_enabled", "Atrium: a second factor was turned on"),
        ("recovery_codes_regenerated", "Atrium: new recovery codes were made"),
        ("second_factor_disabled", "Atrium: your second factor was turned off"),
    ]
