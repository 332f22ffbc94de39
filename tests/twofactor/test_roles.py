"""A role that requires a second factor: its holders without one are refused at step one with
an enrolment ticket that enrols them (and completes the login), and nothing else."""

from __future__ import annotations

from uuid import UUID

import httpx

from atrium.auth.documents import LoginLog, LoginOutcome
from atrium.core.state import AppState
from tests.support.admin import API, actor, data, set_roles
from tests.support.twofactor import (
    BASE,
    challenge,
    code_at_step,
    current_step,
    enrolment_ticket,
    proof,
    requiring_role,
)
from tests.support.users import bearer, login, new_user

ME = f"{API}/auth/me"


def _code(response: httpx.Response) -> str:
    return str(response.json()["code"])


async def _requiring_role(client: httpx.AsyncClient, state: AppState, holder_id: UUID) -> str:
    role_id = await requiring_role(client, state, holder_id)
    root = await actor(client, state, "reader", superuser=True)
    assert data(await client.get(f"{API}/roles/{role_id}", headers=root.headers))[
        "requireSecondFactor"
    ]
    return str(role_id)


def _ticket(response: httpx.Response) -> str:
    return enrolment_ticket(response)


async def test_a_holder_without_a_factor_enrols_with_the_ticket_and_is_logged_in(
    client: httpx.AsyncClient, state: AppState
) -> None:
    carol = await new_user(state, client, "carol")
    await _requiring_role(client, state, carol.user_id)
    ticket = _ticket(await login(client, "carol"))
    [refused] = await LoginLog.find(
        LoginLog.username == "carol", LoginLog.outcome == LoginOutcome.FAILURE
    ).to_list()
    assert refused.reason == "TWOFACTOR_ENROLMENT_REQUIRED"
    # The ticket is no token: it opens nothing but the enrolment.
    assert (await client.get(ME, headers=bearer(ticket))).status_code == 401
    started = await client.post(f"{BASE}/ticket/enrolment", json={"ticket": ticket})
    secret = data(started)["secret"]
    body = {"ticket": ticket, "code": code_at_step(secret, current_step())}
    # The ticket and a code are not enough: the password is asked again.
    bare = await client.post(f"{BASE}/ticket/confirm", json=body)
    assert (bare.status_code, _code(bare)) == (422, "VALIDATION_ERROR")
    wrong = {**body, **await proof(client, "not-the-password-1")}
    mistyped = await client.post(f"{BASE}/ticket/confirm", json=wrong)
    assert (mistyped.status_code, _code(mistyped)) == (401, "AUTH_INVALID_CREDENTIALS")
    assert data(await client.get(BASE, headers=carol.headers))["enabled"] is False
    confirmed = data(
        await client.post(f"{BASE}/ticket/confirm", json={**body, **await proof(client)})
    )
    assert len(confirmed["recoveryCodes"]) == 10
    assert (
        await client.get(ME, headers=bearer(confirmed["tokens"]["accessToken"]))
    ).status_code == 200
    spent = await client.post(f"{BASE}/ticket/enrolment", json={"ticket": ticket})
    assert (spent.status_code, _code(spent)) == (401, "TWOFACTOR_TICKET_INVALID")
    [logged] = await LoginLog.find(LoginLog.reason == "TWOFACTOR_TICKET_INVALID").to_list()
    assert (logged.user_id, logged.method) == (None, "totp_enrolment")
    assert ticket not in logged.model_dump_json()
    # From now on the two-step login, like anyone with a factor.
    token = await challenge(client, "carol")
    step = {"challenge": token, "code": code_at_step(secret, current_step() + 1)}
    assert (await client.post(f"{BASE}/login", json=step)).status_code == 200


async def test_a_holder_cannot_disable_a_required_factor_and_a_disabled_role_requires_nothing(
    client: httpx.AsyncClient, state: AppState
) -> None:
    carol = await new_user(state, client, "carol")
    role_id = await _requiring_role(client, state, carol.user_id)
    ticket = _ticket(await login(client, "carol"))
    secret = data(await client.post(f"{BASE}/ticket/enrolment", json={"ticket": ticket}))["secret"]
    body = {"ticket": ticket, "code": code_at_step(secret, current_step()), **await proof(client)}
    tokens = data(await client.post(f"{BASE}/ticket/confirm", json=body))["tokens"]
    off = {**await proof(client), "code": code_at_step(secret, current_step() + 1)}
    refused = await client.post(f"{BASE}/disable", json=off, headers=bearer(tokens["accessToken"]))
    assert (refused.status_code, _code(refused)) == (403, "TWOFACTOR_REQUIRED_BY_ROLE")
    status = data(await client.get(BASE, headers=bearer(tokens["accessToken"])))
    assert status["requiredByRole"] is True
    root = await actor(client, state, "root2", superuser=True)
    patched = await client.patch(
        f"{API}/roles/{role_id}", json={"status": "disabled"}, headers=root.headers
    )
    assert patched.status_code == 200
    status = data(await client.get(BASE, headers=bearer(tokens["accessToken"])))
    assert status["requiredByRole"] is False


async def test_a_role_requires_nothing_by_default(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    role = data(
        await client.post(
            f"{API}/roles", json={"name": "Plain", "code": "plain"}, headers=root.headers
        ),
        201,
    )
    assert role["requireSecondFactor"] is False
    dave = await new_user(state, client, "dave")
    await set_roles(client, root, dave.user_id, [role["id"]])
    assert "accessToken" in data(await login(client, "dave"))
