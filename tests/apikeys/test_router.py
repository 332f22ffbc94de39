"""A user's own keys: made with the current password, shown once, listed, revoked, deleted; the
scopes within the owner's permissions at creation and on every request after."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import httpx
from sqlalchemy import select

from atrium.apikeys.models import ApiKey
from atrium.core.clock import utcnow
from atrium.core.state import AppState
from tests.support.admin import API, actor, create_role, data, set_grants, set_roles
from tests.support.apikeys import OWN_KEYS, create_key, try_create, with_key, x_api_key
from tests.support.users import superuser, user_with_grants

ALPHA = f"{API}/probe/alpha"
BETA = f"{API}/probe/beta"
WHOAMI = f"{API}/probe/whoami"
SCANNER = re.compile(r"^atr_[a-z2-7]{16}_[A-Za-z0-9_-]{43}$")


def _code(response: httpx.Response) -> str:
    return str(response.json()["code"])


async def test_a_key_is_shown_once_stored_hashed_and_listed_without_it(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await user_with_grants(state, client, "bob", ["GET:/api/v1/probe/alpha"])
    created = await create_key(client, bob.headers, ["GET:/api/v1/probe/alpha"], name="cron")
    key = created["key"]
    assert SCANNER.fullmatch(key), key
    assert created["prefix"] == key[: len("atr_") + 16]
    assert created["status"] == "active"
    listed = data(await client.get(OWN_KEYS, headers=bob.headers))
    assert listed["total"] == 1
    [item] = listed["items"]
    assert "key" not in item
    assert item["name"] == "cron"
    assert item["prefix"] == created["prefix"]
    assert item["scopes"] == ["GET:/api/v1/probe/alpha"]
    assert item["lastUsedAt"] is None
    assert item["expiresAt"] is None
    async with state.db.session() as session:
        row = (await session.execute(select(ApiKey))).scalar_one()
    assert key not in {row.secret_hash, row.lookup, *row.scopes}
    assert len(row.secret_hash) == 64  # SHA-256


async def test_creating_a_key_needs_the_current_password(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await user_with_grants(state, client, "bob", ["GET:/api/v1/probe/alpha"])
    wrong = await try_create(client, bob.headers, ["GET:/api/v1/probe/alpha"], password="nope-1X")
    assert wrong.status_code == 401
    assert _code(wrong) == "AUTH_INVALID_CREDENTIALS"
    body = {"name": "x", "scopes": ["GET:/api/v1/probe/alpha"]}
    missing = await client.post(OWN_KEYS, json=body, headers=bob.headers)
    assert missing.status_code == 422
    assert data(await client.get(OWN_KEYS, headers=bob.headers))["total"] == 0


async def test_both_headers_authenticate_and_the_scope_bounds_the_key(
    client: httpx.AsyncClient, state: AppState
) -> None:
    grants = ["GET:/api/v1/probe/alpha", "GET:/api/v1/probe/beta"]
    bob = await user_with_grants(state, client, "bob", grants)
    key = (await create_key(client, bob.headers, ["GET:/api/v1/probe/alpha"]))["key"]
    for headers in (with_key(key), x_api_key(key)):
        assert (await client.get(ALPHA, headers=headers)).status_code == 200
        outside = await client.get(BETA, headers=headers)  # the owner may; the key may not
        assert outside.status_code == 403
        assert _code(outside) == "AUTH_KEY_OUT_OF_SCOPE"
    # An AUTHENTICATED route is in no scope by itself: the key's scope decides.
    assert _code(await client.get(WHOAMI, headers=with_key(key))) == "AUTH_KEY_OUT_OF_SCOPE"
    assert (await client.get(ALPHA, headers=x_api_key(bob.access))).status_code == 401


async def test_scopes_must_be_within_the_owners_grants_pattern_against_pattern(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await user_with_grants(state, client, "bob", ["GET:/api/v1/probe/*"])
    beyond = await try_create(client, bob.headers, ["*:/api/v1/probe/**"])
    assert beyond.status_code == 422
    assert _code(beyond) == "APIKEY_SCOPE_EXCEEDS_GRANTS"
    assert [d["message"] for d in beyond.json()["details"]] == ["*:/api/v1/probe/**"]
    ok = ["GET:/api/v1/probe/alpha", "get:/api/v1/probe/*", "GET:/api/v1/probe/whoami"]
    created = await create_key(client, bob.headers, ok)
    assert created["scopes"] == ["GET:/api/v1/probe/alpha", "GET:/api/v1/probe/*", ok[2]]
    for refused in (
        ["GET:/api/v1/probe/items/{item_id}"],  # two segments: '*' covers one
        ["files:admin"],  # a capability the owner does not hold
        ["GET:/api/v1/probe/whoami/**"],  # a pattern reaching open routes needs a grant
    ):
        answer = await try_create(client, bob.headers, refused)
        assert _code(answer) == "APIKEY_SCOPE_EXCEEDS_GRANTS", refused


async def test_malformed_event_and_identity_scopes_are_refused(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await superuser(state, client)
    for scopes, code in (
        (["GET:/api/v1/a**"], "APIKEY_INVALID_SCOPE"),
        (["nonsense"], "APIKEY_INVALID_SCOPE"),
        (["EVENT:messages:send"], "APIKEY_INVALID_SCOPE"),
        (["POST:/api/v1/auth/password"], "APIKEY_SCOPE_EXCEEDS_GRANTS"),
        (["POST:/api/v1/auth/api-keys"], "APIKEY_SCOPE_EXCEEDS_GRANTS"),
    ):
        answer = await try_create(client, root.headers, scopes)
        assert answer.status_code == 422, answer.text
        assert _code(answer) == code, scopes
    # A superuser may hand a key any scope, patterns reaching identity routes included.
    await create_key(client, root.headers, ["*:/api/v1/**", "files:admin"])


async def test_a_key_loses_a_grant_its_owner_loses_on_the_next_request(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    role = await create_role(client, root, "reader", ["GET:/api/v1/probe/*"])
    await set_roles(client, root, bob.id, [role])
    key = (await create_key(client, bob.headers, ["GET:/api/v1/probe/*"]))["key"]
    assert (await client.get(BETA, headers=with_key(key))).status_code == 200
    await set_grants(client, root, role, ["GET:/api/v1/probe/alpha"])
    lost = await client.get(BETA, headers=with_key(key))
    assert lost.status_code == 403
    assert _code(lost) == "PERMISSION_DENIED"
    assert (await client.get(ALPHA, headers=with_key(key))).status_code == 200


async def test_an_expired_key_is_refused_on_its_next_request(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await user_with_grants(state, client, "bob", ["GET:/api/v1/probe/alpha"])
    past = await try_create(client, bob.headers, ["GET:/api/v1/probe/alpha"], expires_at=utcnow())
    assert _code(past) == "APIKEY_INVALID_EXPIRY"
    soon = utcnow() + timedelta(seconds=1.5)
    created = await create_key(client, bob.headers, ["GET:/api/v1/probe/alpha"], expires_at=soon)
    assert (await client.get(ALPHA, headers=with_key(created["key"]))).status_code == 200
    await asyncio.sleep(max(0.0, (soon - utcnow()).total_seconds()) + 0.05)
    expired = await client.get(ALPHA, headers=with_key(created["key"]))  # warm, and expired
    assert expired.status_code == 401
    assert _code(expired) == "APIKEY_EXPIRED"
    listed = data(await client.get(f"{OWN_KEYS}/{created['id']}", headers=bob.headers))
    assert listed["status"] == "expired"


async def test_revoked_deleted_and_forged_keys_are_refused(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await user_with_grants(state, client, "bob", ["GET:/api/v1/probe/alpha"])
    first = await create_key(client, bob.headers, ["GET:/api/v1/probe/alpha"])
    second = await create_key(client, bob.headers, ["GET:/api/v1/probe/alpha"])
    for made in (first, second):  # warm on this node
        assert (await client.get(ALPHA, headers=with_key(made["key"]))).status_code == 200
    revoked = data(await client.post(f"{OWN_KEYS}/{first['id']}/revoke", headers=bob.headers))
    assert revoked["status"] == "revoked"
    assert revoked["revokedAt"] is not None
    assert _code(await client.get(ALPHA, headers=with_key(first["key"]))) == "APIKEY_REVOKED"
    data(await client.delete(f"{OWN_KEYS}/{second['id']}", headers=bob.headers))
    assert _code(await client.get(ALPHA, headers=with_key(second["key"]))) == "APIKEY_INVALID"
    forged = first["key"][:-4] + ("AAAA" if not first["key"].endswith("AAAA") else "BBBB")
    for key in (forged, "atr_", "atr_" + "a" * 200):
        answer = await client.get(ALPHA, headers=with_key(key))
        assert answer.status_code == 401, key
        assert _code(answer) == "APIKEY_INVALID", key
    assert data(await client.get(OWN_KEYS, headers=bob.headers))["total"] == 1


async def test_another_users_key_is_a_404_to_read_revoke_or_delete(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await user_with_grants(state, client, "bob", ["GET:/api/v1/probe/alpha"])
    eve = await user_with_grants(state, client, "eve", [])
    made = await create_key(client, bob.headers, ["GET:/api/v1/probe/alpha"])
    url = f"{OWN_KEYS}/{made['id']}"
    for method, path in (("GET", url), ("POST", f"{url}/revoke"), ("DELETE", url)):
        answer = await client.request(method, path, headers=eve.headers)
        assert answer.status_code == 404
        assert _code(answer) == "APIKEY_NOT_FOUND"
    assert data(await client.get(OWN_KEYS, headers=eve.headers))["total"] == 0
    assert (await client.get(ALPHA, headers=with_key(made["key"]))).status_code == 200


async def test_a_disabled_owner_disables_its_keys_and_a_deleted_one_takes_them_along(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    bob = await user_with_grants(state, client, "bob", ["GET:/api/v1/probe/alpha"])
    key = (await create_key(client, bob.headers, ["GET:/api/v1/probe/alpha"]))["key"]
    assert (await client.get(ALPHA, headers=with_key(key))).status_code == 200
    data(await client.post(f"{API}/users/{bob.user_id}/disable", headers=root.headers))
    disabled = await client.get(ALPHA, headers=with_key(key))
    assert disabled.status_code == 403
    assert _code(disabled) == "AUTH_USER_DISABLED"
    data(await client.post(f"{API}/users/{bob.user_id}/enable", headers=root.headers))
    assert (await client.get(ALPHA, headers=with_key(key))).status_code == 200
    data(await client.delete(f"{API}/users/{bob.user_id}", headers=root.headers))
    assert (await client.get(ALPHA, headers=with_key(key))).status_code == 401
    async with state.db.session() as session:
        rows = (await session.execute(select(ApiKey))).scalars().all()
    assert rows == []


async def test_a_superusers_key_is_bounded_by_its_scope(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await superuser(state, client)
    key = await create_key(client, root.headers, ["GET:/api/v1/probe/*", "GET:/api/v1/users"])
    headers = with_key(key["key"])
    assert (await client.get(ALPHA, headers=headers)).status_code == 200
    assert (await client.get(f"{API}/probe/items/1", headers=headers)).status_code == 403
    assert (await client.get(f"{API}/users", headers=headers)).status_code == 200
    assert (await client.get(f"{API}/roles", headers=headers)).status_code == 403


async def test_me_lists_the_codes_the_key_may_use(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await user_with_grants(state, client, "bob", ["GET:/api/v1/probe/*"])
    key = await create_key(client, bob.headers, ["GET:/api/v1/probe/alpha", "GET:/api/v1/auth/me"])
    me = data(await client.get(f"{API}/auth/me", headers=with_key(key["key"])))
    assert me["id"] == str(bob.user_id)
    assert me["permissions"] == ["GET:/api/v1/auth/me", "GET:/api/v1/probe/alpha"]


async def test_a_key_delegates_no_more_than_its_scope(
    client: httpx.AsyncClient, state: AppState
) -> None:
    """An admin's key may hand out only what both the admin and the key cover."""
    root = await actor(client, state, "root", superuser=True)
    admin = await user_with_grants(
        state, client, "admin2", ["*:/api/v1/roles/**", "GET:/api/v1/probe/*"]
    )
    role = await create_role(client, root, "target", [])
    key = await create_key(client, admin.headers, ["*:/api/v1/roles/**"])
    url = f"{API}/roles/{role}/permissions"
    body = {"grants": ["GET:/api/v1/probe/alpha"]}
    refused = await client.put(url, json=body, headers=with_key(key["key"]))
    assert refused.status_code == 403
    assert _code(refused) == "DELEGATION_EXCEEDS_GRANTS"
    wider = await create_key(client, admin.headers, ["*:/api/v1/roles/**", "GET:/api/v1/probe/*"])
    assert (await client.put(url, json=body, headers=with_key(wider["key"]))).status_code == 200


async def test_the_limit_of_keys_per_user(client: httpx.AsyncClient, state: AppState) -> None:
    from atrium.apikeys.runtime import APIKEYS

    state.get(APIKEYS).settings = state.get(APIKEYS).settings.model_copy(
        update={"max_keys_per_user": 2}
    )
    bob = await user_with_grants(state, client, "bob", ["GET:/api/v1/probe/alpha"])
    for _ in range(2):
        await create_key(client, bob.headers, ["GET:/api/v1/probe/alpha"])
    third = await try_create(client, bob.headers, ["GET:/api/v1/probe/alpha"])
    assert third.status_code == 409
    assert _code(third) == "APIKEY_LIMIT_REACHED"
