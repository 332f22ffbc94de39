"""Changing the email: the current password (encrypted), a confirmation at the new address, a
notice at the old one; a new address that has an account is told so, and nothing changes."""

from __future__ import annotations

import httpx

from atrium.core.state import AppState
from tests.accounts.flows import post
from tests.support.accounts import address, mail_to, token_in
from tests.support.users import PASSWORD, create_user, login, new_user, sealed
from tests.support.workers import Proc


async def _change(
    client: httpx.AsyncClient, headers: dict[str, str], email: str, password: str = PASSWORD
) -> httpx.Response:
    body = await sealed(client, password)
    change = {"email": email, "currentPassword": body["password"], "kid": body["kid"]}
    return await post(client, "/email", change, headers=headers)


async def test_the_new_address_confirms_and_the_old_one_is_told(
    client: httpx.AsyncClient, state: AppState, services: dict[str, str], worker: Proc
) -> None:
    old, new = address("erin-old"), address("erin-new")
    await create_user(state, "erin", email=old)
    erin = await new_user_headers(client, "erin")
    wrong = await _change(client, erin, new, "not-my-Password-1")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "AUTH_INVALID_CREDENTIALS")
    asked = await _change(client, erin, new)
    assert asked.status_code == 202, asked.text
    mail = await mail_to(services, new, "confirm your new email address")
    assert "https://app.example.com/confirm-email?token=" in mail.text
    confirmed = await post(client, "/email/confirm", {"token": token_in(mail)})
    assert confirmed.status_code == 200, confirmed.text
    notice = await mail_to(services, old, "your email address was changed")
    assert new in notice.text
    assert (await login(client, new)).status_code == 200
    assert (await login(client, old)).json()["code"] == "AUTH_INVALID_CREDENTIALS"


async def test_an_address_with_an_account_is_told_and_nothing_changes(
    client: httpx.AsyncClient, state: AppState, services: dict[str, str], worker: Proc
) -> None:
    taken = address("frank")
    await create_user(state, "frank", email=taken)
    gina = await new_user(state, client, "gina")
    asked = await _change(client, gina.headers, taken)
    assert asked.status_code == 202
    await mail_to(services, taken, "this address already has an account")
    assert (await login(client, "gina@example.com")).status_code == 200


async def new_user_headers(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    from tests.support.users import bearer, tokens

    return bearer((await tokens(client, username))["accessToken"])
