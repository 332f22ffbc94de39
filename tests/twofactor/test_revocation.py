"""Challenges and enrolment tickets are bound to the user's credential epoch: revoking all their
sessions (a password change or reset, an administrator's kick) voids every one issued before."""

from __future__ import annotations

import httpx

from atrium.core.state import AppState
from tests.support.admin import API, actor, data
from tests.support.twofactor import (
    BASE,
    challenge,
    code_at_step,
    current_step,
    enable,
    enrolment_ticket,
    proof,
    requiring_role,
    second_step,
)
from tests.support.users import PASSWORD, encrypt, login, new_user, public_key, sealed


def _code(response: httpx.Response) -> str:
    return str(response.json()["code"])


async def test_a_password_change_voids_a_pending_challenge(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    secret, _ = await enable(client, bob.headers)
    token = await challenge(client, "bob")
    key = await public_key(client)
    change = {
        "currentPassword": encrypt(key["pem"], PASSWORD),
        "newPassword": encrypt(key["pem"], "another-Horse-battery-8"),
        "kid": key["kid"],
    }
    changed = await client.post(f"{API}/auth/password", json=change, headers=bob.headers)
    assert changed.status_code == 200, changed.text
    step = {"challenge": token, "code": code_at_step(secret, current_step() + 1)}
    refused = await second_step(client, step)
    assert (refused.status_code, _code(refused)) == (401, "TWOFACTOR_CHALLENGE_INVALID")
    # A challenge issued after the change works.
    fresh = await challenge_with(client, "bob", "another-Horse-battery-8")
    passed = await second_step(client, {**step, "challenge": fresh})
    assert passed.status_code == 200, passed.text


async def challenge_with(client: httpx.AsyncClient, username: str, password: str) -> str:
    answer = data(await login(client, username, password))
    assert answer["secondFactorRequired"] is True
    return str(answer["challenge"])


async def test_an_admin_password_reset_voids_a_pending_challenge(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    secret, _ = await enable(client, bob.headers)
    token = await challenge(client, "bob")
    root = await actor(client, state, "root", superuser=True)
    reset = await client.post(
        f"{API}/users/{bob.user_id}/password",
        json=await sealed(client, "reset-by-Admin-77"),
        headers=root.headers,
    )
    assert reset.status_code == 200, reset.text
    step = {"challenge": token, "code": code_at_step(secret, current_step() + 1)}
    refused = await second_step(client, step)
    assert (refused.status_code, _code(refused)) == (401, "TWOFACTOR_CHALLENGE_INVALID")


async def test_an_admin_kick_voids_an_enrolment_ticket(
    client: httpx.AsyncClient, state: AppState
) -> None:
    carol = await new_user(state, client, "carol")
    await requiring_role(client, state, carol.user_id)
    ticket = enrolment_ticket(await login(client, "carol"))
    root = await actor(client, state, "admin", superuser=True)
    started = data(await client.post(f"{BASE}/ticket/enrolment", json={"ticket": ticket}))
    kicked = await client.delete(f"{API}/users/{carol.user_id}/sessions", headers=root.headers)
    assert kicked.status_code == 200, kicked.text
    body = {
        "ticket": ticket,
        "code": code_at_step(started["secret"], current_step()),
        **await proof(client),
    }
    confirm = await client.post(f"{BASE}/ticket/confirm", json=body)
    assert (confirm.status_code, _code(confirm)) == (401, "TWOFACTOR_TICKET_INVALID")
    again = await client.post(f"{BASE}/ticket/enrolment", json={"ticket": ticket})
    assert (again.status_code, _code(again)) == (401, "TWOFACTOR_TICKET_INVALID")
