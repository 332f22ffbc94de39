"""Everyone's keys: holders of the routes' codes list them all and revoke the keys of the users
their grants cover (the delegation rule); nobody else does."""

from __future__ import annotations

import httpx

from atrium.core.ids import uuid7
from atrium.core.state import AppState
from tests.support.admin import data
from tests.support.apikeys import ALL_KEYS, create_key, with_key
from tests.support.users import superuser, user_with_grants

ALPHA = "/api/v1/probe/alpha"
LIST = "GET:/api/v1/api-keys"
REVOKE = "POST:/api/v1/api-keys/{key_id}/revoke"


async def test_a_holder_lists_every_key_and_filters_by_user(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await user_with_grants(state, client, "bob", ["GET:/api/v1/probe/alpha"])
    eve = await user_with_grants(state, client, "eve", ["GET:/api/v1/probe/alpha"])
    admin = await user_with_grants(state, client, "keyadmin", [LIST])
    await create_key(client, bob.headers, ["GET:/api/v1/probe/alpha"], name="b")
    await create_key(client, eve.headers, ["GET:/api/v1/probe/alpha"], name="e")
    everyone = data(await client.get(ALL_KEYS, headers=admin.headers))
    assert everyone["total"] == 2
    assert {item["userId"] for item in everyone["items"]} == {str(bob.user_id), str(eve.user_id)}
    assert all("key" not in item for item in everyone["items"])
    bobs = data(
        await client.get(ALL_KEYS, params={"userId": str(bob.user_id)}, headers=admin.headers)
    )
    assert [item["name"] for item in bobs["items"]] == ["b"]
    refused = await client.get(ALL_KEYS, headers=bob.headers)
    assert refused.status_code == 403


async def test_revoking_anyones_key_follows_the_delegation_rule(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await superuser(state, client)
    bob = await user_with_grants(state, client, "bob", ["GET:/api/v1/probe/alpha"])
    carol = await user_with_grants(state, client, "carol", ["*:/api/v1/probe/**"])
    admin = await user_with_grants(state, client, "keyadmin", [REVOKE, "GET:/api/v1/probe/*"])
    bobs = await create_key(client, bob.headers, ["GET:/api/v1/probe/alpha"])
    carols = await create_key(client, carol.headers, ["GET:/api/v1/probe/alpha"])
    roots = await create_key(client, root.headers, ["GET:/api/v1/probe/alpha"])
    covered = await client.post(f"{ALL_KEYS}/{bobs['id']}/revoke", headers=admin.headers)
    assert data(covered)["status"] == "revoked"
    assert (await client.get(ALPHA, headers=with_key(bobs["key"]))).status_code == 401
    wider = await client.post(f"{ALL_KEYS}/{carols['id']}/revoke", headers=admin.headers)
    assert wider.status_code == 403
    assert wider.json()["code"] == "DELEGATION_EXCEEDS_GRANTS"
    above = await client.post(f"{ALL_KEYS}/{roots['id']}/revoke", headers=admin.headers)
    assert above.status_code == 403
    assert above.json()["code"] == "DELEGATION_SUPERUSER_ONLY"
    for made in (carols, roots):
        assert (await client.get(ALPHA, headers=with_key(made["key"]))).status_code == 200
    data(await client.post(f"{ALL_KEYS}/{roots['id']}/revoke", headers=root.headers))
    missing = await client.post(f"{ALL_KEYS}/{uuid7()}/revoke", headers=root.headers)
    assert missing.status_code == 404
