"""Invitations: a permission-protected route, the delegation rule on the roles, accepted with a
username and an encrypted password into an active account holding those roles."""

from __future__ import annotations

import httpx

from atrium.core.state import AppState
from tests.accounts.flows import post
from tests.support.accounts import address, mail_to, token_in
from tests.support.admin import actor, create_role, data, set_grants, set_roles
from tests.support.users import bearer, create_user, login, sealed, tokens
from tests.support.workers import Proc

INVITE = "/api/v1/accounts/invitations"


async def test_an_invitation_is_accepted_into_its_roles(
    client: httpx.AsyncClient, state: AppState, services: dict[str, str], worker: Proc
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    role = await create_role(client, admin, "readers", ["GET:/api/v1/users"])
    email = address("hana")
    body = {"email": email, "roleIds": [str(role)]}
    made = data(await client.post(INVITE, json=body, headers=admin.headers), 201)
    assert made["email"] == email
    mail = await mail_to(services, email, "you are invited")
    assert "https://app.example.com/accept-invitation?token=" in mail.text
    accept = {"token": token_in(mail), "username": "hana", **await sealed(client, "join-Secret-9")}
    created = await post(client, "/invitations/accept", accept)
    assert created.status_code == 201, created.text
    assert created.json()["data"]["username"] == "hana"
    pair = await tokens(client, "hana", "join-Secret-9")
    assert (
        await client.get("/api/v1/users", headers=bearer(pair["accessToken"]))
    ).status_code == 200
    again = {**accept, "username": "hana2", **await sealed(client, "join-Secret-9")}
    reused = await post(client, "/invitations/accept", again)
    assert reused.json()["code"] == "ACCOUNTS_TOKEN_USED"


async def test_nobody_invites_into_roles_their_grants_do_not_cover(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    inviter = await actor(client, state, "inviter")
    own = await create_role(client, admin, "inviters", [f"POST:{INVITE}", "GET:/api/v1/users"])
    await set_roles(client, admin, inviter.id, [own])
    covered = await create_role(client, admin, "listers", ["GET:/api/v1/users"])
    beyond = await create_role(client, admin, "deleters", ["DELETE:/api/v1/users/*"])
    ok_body = {"email": address("ivy"), "roleIds": [str(covered)]}
    assert (await client.post(INVITE, json=ok_body, headers=inviter.headers)).status_code == 201
    bad_body = {"email": address("jay"), "roleIds": [str(beyond)]}
    refused = await client.post(INVITE, json=bad_body, headers=inviter.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "DELEGATION_EXCEEDS_GRANTS")
    await create_user(state, "kim", email="kim@example.com")
    taken = await client.post(
        INVITE, json={"email": "KIM@example.com", "roleIds": []}, headers=admin.headers
    )
    assert (taken.status_code, taken.json()["code"]) == (409, "ACCOUNTS_ADDRESS_HAS_ACCOUNT")
    plain = await actor(client, state, "plain")
    assert (await client.post(INVITE, json=ok_body, headers=plain.headers)).status_code == 403
    assert (await login(client, "ivy")).status_code == 401


async def test_an_invitation_dies_when_its_inviter_can_no_longer_hand_out_its_roles(
    client: httpx.AsyncClient, state: AppState, services: dict[str, str], worker: Proc
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    inviter = await actor(client, state, "inviter")
    own = await create_role(client, admin, "inviters", [f"POST:{INVITE}", "GET:/api/v1/users"])
    await set_roles(client, admin, inviter.id, [own])
    listers = await create_role(client, admin, "listers", ["GET:/api/v1/users"])
    email = address("lea")
    body = {"email": email, "roleIds": [str(listers)]}
    assert (await client.post(INVITE, json=body, headers=inviter.headers)).status_code == 201
    mail = await mail_to(services, email, "you are invited")
    await set_grants(client, admin, own, [f"POST:{INVITE}"])  # no longer covers the listers
    accept = {"token": token_in(mail), "username": "lea", **await sealed(client, "join-Secret-9")}
    refused = await post(client, "/invitations/accept", accept)
    assert (refused.status_code, refused.json()["code"]) == (409, "ACCOUNTS_INVITATION_WITHDRAWN")
    assert (await login(client, "lea", "join-Secret-9")).status_code == 401


async def test_waiting_invitations_are_listed_and_revoked_under_the_delegation_rule(
    client: httpx.AsyncClient, state: AppState, services: dict[str, str], worker: Proc
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    helper = await actor(client, state, "helper")
    grants = [f"GET:{INVITE}", f"DELETE:{INVITE}/*", "GET:/api/v1/users"]
    await set_roles(client, admin, helper.id, [await create_role(client, admin, "helpers", grants)])
    deleters = await create_role(client, admin, "deleters", ["DELETE:/api/v1/users/*"])
    email = address("max")
    body = {"email": email, "roleIds": [str(deleters)]}
    made = data(await client.post(INVITE, json=body, headers=admin.headers), 201)
    listed = data(await client.get(INVITE, headers=helper.headers))
    assert [(i["id"], i["email"], i["invitedBy"]) for i in listed["items"]] == [
        (made["id"], email, str(admin.id))
    ]
    path = f"{INVITE}/{made['id']}"
    beyond = await client.delete(path, headers=helper.headers)
    assert (beyond.status_code, beyond.json()["code"]) == (403, "DELEGATION_EXCEEDS_GRANTS")
    assert (await client.delete(path, headers=admin.headers)).status_code == 200
    gone = await client.delete(path, headers=admin.headers)
    assert (gone.status_code, gone.json()["code"]) == (404, "ACCOUNTS_INVITATION_NOT_FOUND")
    assert data(await client.get(INVITE, headers=admin.headers))["total"] == 0
    mail = await mail_to(services, email, "you are invited")
    accept = {"token": token_in(mail), "username": "max", **await sealed(client, "join-Secret-9")}
    dead = await post(client, "/invitations/accept", accept)
    assert (dead.status_code, dead.json()["code"]) == (400, "ACCOUNTS_TOKEN_INVALID")
