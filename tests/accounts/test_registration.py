"""Registration in each mode, through the real worker and the real SMTP catcher: open (a
pending account verified by mail, refused at login until then), invite (only invited
addresses), closed (refused); an existing address mails its owner instead."""

from __future__ import annotations

import httpx
import pytest

from atrium.accounts.settings import RegistrationMode
from atrium.core.state import AppState
from tests.accounts.flows import post, register
from tests.support.accounts import address, mail_to, mails_to, token_in
from tests.support.admin import actor, create_role, data
from tests.support.users import PASSWORD, create_user, login, sealed
from tests.support.workers import Proc


async def test_open_registration_is_verified_by_mail_before_the_first_login(
    client: httpx.AsyncClient, services: dict[str, str], worker: Proc
) -> None:
    email = address("ann")
    answered = await register(client, "ann", email)
    assert answered.status_code == 202, answered.text
    mail = await mail_to(services, email, "confirm your email address")
    assert "https://app.example.com/verify-email?token=" in mail.text
    refused = await login(client, "ann")
    assert (refused.status_code, refused.json()["code"]) == (403, "AUTH_EMAIL_UNVERIFIED")
    wrong = await login(client, "ann", "not-the-Password-1")
    assert wrong.json()["code"] == "AUTH_INVALID_CREDENTIALS"  # told only after the right one
    verified = await post(client, "/verification", {"token": token_in(mail)})
    assert verified.status_code == 200, verified.text
    assert (await login(client, "ann")).status_code == 200


async def test_an_existing_address_mails_its_owner_and_the_answer_is_the_same(
    client: httpx.AsyncClient, state: AppState, services: dict[str, str], worker: Proc
) -> None:
    taken = address("bob")
    await create_user(state, "bob", email=taken)
    fresh = address("newcomer")
    first = await register(client, "bobby", taken)
    second = await register(client, "newcomer", fresh)
    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json()["data"] == second.json()["data"]
    notice = await mail_to(services, taken, "someone tried to register")
    assert "bob" in notice.text
    await mail_to(services, fresh, "confirm your email address")
    assert (await login(client, "bobby")).json()["code"] == "AUTH_INVALID_CREDENTIALS"


@pytest.mark.parametrize("registration", [RegistrationMode.INVITE])
async def test_invite_mode_sends_everyone_to_an_invitation(
    client: httpx.AsyncClient, state: AppState, services: dict[str, str], worker: Proc
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    role = await create_role(client, admin, "team", ["GET:/api/v1/users"])
    stranger, invited = address("stranger"), address("guest")
    assert (await register(client, "stranger", stranger)).status_code == 202
    await mail_to(services, stranger, "registration is by invitation")
    body = {"email": invited, "roleIds": [str(role)]}
    data(await client.post("/api/v1/accounts/invitations", json=body, headers=admin.headers), 201)
    invitation = await mail_to(services, invited, "you are invited")
    # Whoever knows an invited address cannot pick the password of the account it leads to.
    assert (await register(client, "guest", invited)).status_code == 202
    await mail_to(services, invited, "join with your invitation")
    for name in ("stranger", "guest"):
        assert (await login(client, name)).json()["code"] == "AUTH_INVALID_CREDENTIALS"
    accept = {"token": token_in(invitation), "username": "guest", **await sealed(client, PASSWORD)}
    assert (await post(client, "/invitations/accept", accept)).status_code == 201
    logged = await login(client, "guest")
    assert logged.status_code == 200, logged.text
    listed = await client.get(
        "/api/v1/users", headers={"Authorization": f"Bearer {logged.json()['data']['accessToken']}"}
    )
    assert listed.status_code == 200  # the invitation's role came with the account


@pytest.mark.parametrize("registration", [RegistrationMode.CLOSED])
async def test_closed_registration_is_refused(
    client: httpx.AsyncClient, services: dict[str, str]
) -> None:
    email = address("closed")
    refused = await register(client, "closed", email)
    assert (refused.status_code, refused.json()["code"]) == (403, "ACCOUNTS_REGISTRATION_CLOSED")
    assert mails_to(services, email) == []
