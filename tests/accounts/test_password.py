"""Forgot and reset: the same answer for a username, an email or nobody; a reset link by mail;
the new password (encrypted) ends every old session (its refresh token is refused)."""

from __future__ import annotations

import asyncio

import httpx

from atrium.core.redis import create_redis
from atrium.core.state import AppState
from atrium.mail.documents import MailLog
from atrium.rbac.changes import WATCHED
from atrium.rbac.propagation import AccessHook
from tests.accounts.flows import post, reset
from tests.support.accounts import address, mail_to, mails_to, token_in
from tests.support.users import USER_AGENT, create_user, login, tokens
from tests.support.workers import Proc

NEW_PASSWORD = "a-New-password-42"


async def test_forgot_then_reset_ends_every_old_session(
    client: httpx.AsyncClient, state: AppState, services: dict[str, str], worker: Proc
) -> None:
    email = address("carol")
    await create_user(state, "carol", email=email)
    old = await tokens(client, "carol")
    asked = await post(client, "/password/forgot", {"login": "carol"})
    nobody = await post(client, "/password/forgot", {"login": "nobody-here"})
    assert (asked.status_code, nobody.status_code) == (202, 202)
    assert asked.json()["data"] == nobody.json()["data"]
    mail = await mail_to(services, email, "reset your password")
    assert "https://app.example.com/reset-password?token=" in mail.text
    done = await reset(client, token_in(mail), NEW_PASSWORD)
    assert done.status_code == 200, done.text
    refreshed = await client.post(
        "/api/v1/auth/token/refresh",
        json={"refreshToken": old["refreshToken"]},
        headers={"User-Agent": USER_AGENT},
    )
    assert refreshed.status_code == 401
    assert (await login(client, "carol")).json()["code"] == "AUTH_INVALID_CREDENTIALS"
    assert (await login(client, "carol", NEW_PASSWORD)).status_code == 200
    again = await reset(client, token_in(mail), "another-Password-7")
    assert again.json()["code"] == "ACCOUNTS_TOKEN_USED"
    logged = [entry.model_dump_json() for entry in await MailLog.find_all().to_list()]
    assert logged  # the reset mail is logged, without its link
    assert not [entry for entry in logged if token_in(mail).partition(".")[2] in entry]


async def test_forgot_by_email_mails_the_same_link_and_a_weak_password_spends_nothing(
    client: httpx.AsyncClient, state: AppState, services: dict[str, str], worker: Proc
) -> None:
    email = address("dan")
    await create_user(state, "dan", email=email)
    assert (await post(client, "/password/forgot", {"login": email.upper()})).status_code == 202
    mail = await mail_to(services, email, "reset your password")
    weak = await reset(client, token_in(mail), "short")
    assert (weak.status_code, weak.json()["code"]) == (422, "PASSWORD_POLICY")
    assert (await reset(client, token_in(mail), NEW_PASSWORD)).status_code == 200
    assert len(mails_to(services, email)) == 1


async def test_a_reset_spends_every_other_reset_link_of_the_account(
    client: httpx.AsyncClient, state: AppState, services: dict[str, str], worker: Proc
) -> None:
    email = address("erin")
    await create_user(state, "erin", email=email)
    for _ in range(2):
        assert (await post(client, "/password/forgot", {"login": "erin"})).status_code == 202
    deadline = asyncio.get_running_loop().time() + 20
    while len(mails_to(services, email)) < 2:
        assert asyncio.get_running_loop().time() < deadline, "two reset mails expected"
        await asyncio.sleep(0.1)
    first, second = (token_in(mail) for mail in mails_to(services, email)[:2])
    assert first != second
    assert (await reset(client, second, NEW_PASSWORD)).status_code == 200
    stale = await reset(client, first, "another-Password-7")
    assert (stale.status_code, stale.json()["code"]) == (409, "ACCOUNTS_TOKEN_USED")
    assert (await login(client, "erin", NEW_PASSWORD)).status_code == 200


async def test_a_reset_whose_sessions_cannot_be_ended_answers_503_not_success(
    client: httpx.AsyncClient, state: AppState, services: dict[str, str], worker: Proc
) -> None:
    email = address("fern")
    await create_user(state, "fern", email=email)
    await post(client, "/password/forgot", {"login": "fern"})
    mail = await mail_to(services, email, "reset your password")
    down = create_redis(state.settings.redis.model_copy(update={"url": "redis://127.0.0.1:1"}))
    hook = AccessHook(state.db, down, state.settings)  # a node whose Redis is unreachable
    state.db.on_commit(hook, WATCHED)
    try:
        done = await reset(client, token_in(mail), NEW_PASSWORD)
    finally:
        state.db.hooks.remove(hook)
        await down.aclose()
    assert (done.status_code, done.json()["code"]) == (503, "RBAC_PROPAGATION_FAILED")
    assert (await login(client, "fern", NEW_PASSWORD)).status_code == 200  # the reset stands
