"""The permission cache: in process when warm (no network at all), Redis with the access token's
lifetime, conditional fills, epochs, and no answers while the invalidation feed is down."""

from __future__ import annotations

from typing import Any

import httpx

from atrium.auth.settings import AuthSettings
from atrium.core.state import AppState
from atrium.rbac.cache import ChangeSet, PermissionSet, PermissionStore, invalidate, load
from atrium.rbac.deps import PERMISSIONS
from atrium.rbac.lifecycle import LISTENER
from tests.support.admin import API, actor, create_role, set_roles
from tests.support.traffic import redis_commands, traffic

ALPHA = f"{API}/probe/alpha"


async def test_a_warm_check_touches_neither_redis_nor_the_database(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    await set_roles(
        client,
        admin,
        bob.id,
        [await create_role(client, admin, "reader", ["GET:/api/v1/probe/alpha"])],
    )
    assert (await client.get(ALPHA, headers=bob.headers)).status_code == 200  # warms up
    async with traffic(state) as seen:
        for _ in range(50):
            assert (await client.get(ALPHA, headers=bob.headers)).status_code == 200
    assert seen.statements == []
    assert seen.redis_commands <= 2  # the INFO call itself (and at most one stray health check)


async def test_the_redis_entry_lives_as_long_as_an_access_token(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await actor(client, state, "bob")
    assert (await client.get(f"{API}/probe/whoami", headers=bob.headers)).status_code == 200
    store = PermissionStore(state.redis, state.settings)
    ttl = await state.redis.ttl(store.entry_key(bob.id))
    assert 0 < ttl <= state.settings.group(AuthSettings).access_token_ttl_seconds
    assert ttl >= state.settings.group(AuthSettings).access_token_ttl_seconds - 5


async def test_a_fill_that_raced_an_invalidation_is_not_stored(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await actor(client, state, "bob")
    store = PermissionStore(state.redis, state.settings)
    found, seq, epoch = await store.read(bob.id)
    assert found is None
    computed = await load(state.db, bob.id, epoch)  # read before the change committed...
    await invalidate(state.redis, state.settings, state.db, ChangeSet(user_ids={bob.id}))
    assert not await store.fill(computed, seq)  # ...so it must not land after it
    assert (await store.read(bob.id))[0] is None
    _, seq, _ = await store.read(bob.id)
    assert await store.fill(computed, seq)
    assert (await store.read(bob.id))[0] is not None


async def test_a_new_epoch_drops_every_stored_set(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await actor(client, state, "bob")
    store = PermissionStore(state.redis, state.settings)
    _, seq, epoch = await store.read(bob.id)
    assert await store.fill(await load(state.db, bob.id, epoch), seq)
    await invalidate(state.redis, state.settings, state.db, ChangeSet(everything=True))
    assert (await store.read(bob.id))[0] is None


async def test_the_local_cache_answers_nothing_while_its_feed_is_down(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await actor(client, state, "bob")
    assert (await client.get(f"{API}/probe/whoami", headers=bob.headers)).status_code == 200
    local = state.get(PERMISSIONS).local
    assert local.get(bob.id) is not None
    await state.get(LISTENER).stop()
    assert local.get(bob.id) is None
    local.put(
        PermissionSet(bob.id, exists=True, active=True, is_superuser=True, role_ids=(), grants=()),
        local.generation,
    )
    assert local.get(bob.id) is None


async def test_a_disabled_role_is_not_among_the_roles_a_user_acts_with(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    kept = await create_role(client, admin, "kept", ["GET:/api/v1/probe/alpha"])
    paused = await create_role(client, admin, "paused", ["GET:/api/v1/probe/beta"])
    await set_roles(client, admin, bob.id, [kept, paused])
    url = f"{API}/roles/{paused}"
    disabled = await client.patch(url, json={"status": "disabled"}, headers=admin.headers)
    assert disabled.status_code == 200
    found = await load(state.db, bob.id)  # the roles a data scope shares records through
    assert (found.role_ids, found.grants) == (frozenset({kept}), ("GET:/api/v1/probe/alpha",))


def test_permission_sets_round_trip_through_json() -> None:
    from uuid import uuid4

    found = PermissionSet(
        uuid4(),
        exists=True,
        active=True,
        is_superuser=False,
        role_ids=[uuid4()],
        grants=["GET:/a/*"],
        epoch="3",
    )
    back = PermissionSet.from_json(found.user_id, found.to_json())
    assert (back.role_ids, back.grants, back.epoch) == (found.role_ids, found.grants, "3")
    assert back.allows("GET:/a/b")
    assert not back.allows("GET:/a/b/c")


async def test_flush_cache_after_a_hand_edit_takes_effect_everywhere(
    client: httpx.AsyncClient, state: AppState
) -> None:
    from sqlalchemy import delete

    from atrium.rbac.cli import _flush
    from atrium.rbac.models import RolePermission

    admin = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")
    role = await create_role(client, admin, "reader", ["GET:/api/v1/probe/alpha"])
    await set_roles(client, admin, bob.id, [role])
    assert (await client.get(ALPHA, headers=bob.headers)).status_code == 200
    async with state.db.session() as session:  # an edit behind the API's back
        await session.execute(delete(RolePermission))
    assert (await client.get(ALPHA, headers=bob.headers)).status_code == 200  # cached
    await _flush(state.settings)
    assert (await client.get(ALPHA, headers=bob.headers)).status_code == 403


async def test_concurrent_misses_share_one_redis_read(
    client: httpx.AsyncClient, state: AppState
) -> None:
    import asyncio

    bob = await actor(client, state, "bob")
    permissions = state.get(PERMISSIONS)
    await permissions.get(bob.id)  # stored in Redis
    permissions.local.flush()
    before = await redis_commands(state)
    found = await asyncio.gather(*(permissions.get(bob.id) for _ in range(50)))
    assert len({id(item) for item in found}) == 1
    assert await redis_commands(state) - before == 4  # one read: 3 pipelined GETs, + INFO


async def test_a_miss_never_joins_a_read_older_than_an_applied_invalidation(
    client: httpx.AsyncClient, state: AppState
) -> None:
    import asyncio

    bob = await actor(client, state, "bob")
    permissions = state.get(PERMISSIONS)
    store, gate, reads = permissions.store, asyncio.Event(), []
    real_read = store.read

    async def slow_read(user_id: Any) -> Any:  # a real Redis read that takes its time
        reads.append(user_id)
        await gate.wait()
        return await real_read(user_id)

    store.read = slow_read  # type: ignore[method-assign]
    try:
        early = asyncio.create_task(permissions.get(bob.id))
        await asyncio.sleep(0.01)
        permissions.local.apply({"type": "permissions_changed", "userIds": [str(bob.id)]})
        late = asyncio.create_task(permissions.get(bob.id))
        await asyncio.sleep(0.01)
        assert len(reads) == 2  # the late request started its own read
        gate.set()
        assert (await early).user_id == (await late).user_id == bob.id
    finally:
        store.read = real_read  # type: ignore[method-assign]
