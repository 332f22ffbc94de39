"""The leased in-process cache: what it serves, for how long, and what makes it forget.

The last tests run two caches ("nodes") against the real Redis: an acknowledged invalidation
has reached both before it returns, and a lost subscription forgets everything.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any
from uuid import uuid4

import pytest

from atrium.config import RedisSettings
from atrium.core.invalidation import AckedListener, publish_acked
from atrium.core.leasedcache import LeasedCache
from atrium.core.redis import RedisClient, create_redis


class Named(LeasedCache[str, str]):
    """A cache whose events name one key (``{"key": ...}``); any other event forgets all."""

    def apply(self, event: Mapping[str, Any]) -> None:
        if isinstance(event.get("key"), str):
            self.invalidate([event["key"]])
        else:
            self.flush()


def live_cache(lease: float = 60.0, **options: Any) -> Named:
    cache = Named(lease, **options)
    cache.heard()  # as the listener does once subscribed
    return cache


def test_a_remembered_value_is_served_until_its_lease_ends() -> None:
    cache = live_cache(lease=0.05)
    assert cache.remember("a", "one", cache.generation)
    assert cache.get("a") == "one"
    time.sleep(0.06)
    assert cache.get("a") is None


def test_nothing_is_served_or_kept_without_a_live_feed_or_a_lease() -> None:
    unheard = Named(60.0)
    assert not unheard.remember("a", "one", unheard.generation)
    assert unheard.get("a") is None
    off = live_cache(lease=0)
    assert not off.remember("a", "one", off.generation)
    assert off.get("a") is None


def test_a_fill_read_before_an_invalidation_is_not_kept() -> None:
    cache = live_cache()
    before = cache.generation
    cache.invalidate(["a"])  # arrives while the value was being read
    assert not cache.remember("a", "stale", before)
    assert cache.get("a") is None
    assert cache.remember("a", "fresh", cache.generation)
    assert cache.get("a") == "fresh"


def test_invalidating_one_key_keeps_the_others_and_a_flush_forgets_all() -> None:
    cache = live_cache()
    for name in "abc":
        cache.remember(name, name.upper(), cache.generation)
    cache.invalidate(["b"])
    assert [cache.get(name) for name in "abc"] == ["A", None, "C"]
    cache.flush()
    assert [cache.get(name) for name in "abc"] == [None, None, None]


def test_a_group_is_forgotten_at_once_but_for_the_key_it_keeps() -> None:
    cache = live_cache(group=lambda value: value.split(":")[0])
    for key, value in (("s1", "alice:1"), ("s2", "alice:2"), ("s3", "alice:3"), ("s4", "bob:1")):
        cache.remember(key, value, cache.generation)
    cache.invalidate_group("alice", keep="s2")
    assert [cache.get(key) for key in ("s1", "s2", "s3", "s4")] == [None, "alice:2", None, "bob:1"]


def test_the_bound_starts_over_without_refusing_fills_under_way() -> None:
    cache = live_cache(max_entries=3)
    under_way = cache.generation
    for name in "abc":
        cache.remember(name, name, cache.generation)
    assert cache.remember("d", "d", under_way)  # the bound is no invalidation
    assert [cache.get(name) for name in "abcd"] == [None, None, None, "d"]


def test_a_lost_feed_forgets_everything_and_serves_nothing_until_heard() -> None:
    cache = live_cache()
    cache.remember("a", "one", cache.generation)
    cache.silenced()
    assert cache.get("a") is None
    assert not cache.remember("a", "one", cache.generation)
    cache.heard()
    assert cache.get("a") is None  # forgotten, not merely hidden


async def test_concurrent_misses_share_one_fetch() -> None:
    cache, fetches = live_cache(), []

    async def fetch() -> tuple[str, bool]:
        fetches.append(1)
        await asyncio.sleep(0.01)
        return "one", True

    found = await asyncio.gather(*(cache.get_or_fetch("a", fetch) for _ in range(20)))
    assert found == ["one"] * 20
    assert len(fetches) == 1
    assert cache.get("a") == "one"


async def test_a_miss_after_an_invalidation_does_not_join_an_older_fetch() -> None:
    cache, gate, fetches = live_cache(), asyncio.Event(), []

    async def fetch() -> tuple[str, bool]:
        fetches.append(1)
        await gate.wait()
        return f"read {len(fetches)}", True

    early = asyncio.create_task(cache.get_or_fetch("a", fetch))
    await asyncio.sleep(0)
    cache.invalidate(["a"])
    late = asyncio.create_task(cache.get_or_fetch("a", fetch))
    await asyncio.sleep(0)
    gate.set()
    await asyncio.gather(early, late)
    assert len(fetches) == 2
    assert cache.get("a") == "read 2"  # only the read after the invalidation is kept


async def test_a_fetch_may_decline_to_be_kept_and_its_failure_reaches_every_waiter() -> None:
    cache = live_cache()

    async def once() -> tuple[str, bool]:
        return "once", False

    assert await cache.get_or_fetch("a", once) == "once"
    assert cache.get("a") is None

    async def broken() -> tuple[str, bool]:
        await asyncio.sleep(0.01)
        raise ConnectionError("store away")

    waiters = [cache.get_or_fetch("b", broken) for _ in range(3)]
    outcomes = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(outcome, ConnectionError) for outcome in outcomes)
    assert cache.get("b") is None


# --- across nodes, on the real Redis ---------------------------------------------------------


async def _until(check: Callable[[], bool], within: float = 10.0) -> None:
    for _ in range(int(within / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not within the time allowed")


@pytest.fixture
async def redis(services: dict[str, str]) -> AsyncIterator[RedisClient]:
    client = create_redis(RedisSettings(url=services["ATRIUM_REDIS__URL"]))
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def nodes(redis: RedisClient) -> AsyncIterator[tuple[str, list[Named], list[AckedListener]]]:
    """Two caches, each with its own listener on one fresh channel (as two API nodes)."""
    channel = f"test:leasedcache:{uuid4().hex}"
    caches = [Named(60.0), Named(60.0)]
    listeners = [AckedListener(redis, channel, cache) for cache in caches]
    for listener in listeners:
        await listener.start(wait_seconds=5)
    try:
        yield channel, caches, listeners
    finally:
        for listener in listeners:
            await listener.stop()


async def test_an_acknowledged_invalidation_has_reached_every_node_when_it_returns(
    redis: RedisClient, nodes: tuple[str, list[Named], list[AckedListener]]
) -> None:
    channel, caches, _ = nodes
    for cache in caches:
        assert cache.remember("a", "old", cache.generation)
        assert cache.remember("b", "kept", cache.generation)
    acked = await publish_acked(redis, channel, f"test:ack:{uuid4().hex}:", {"key": "a"}, 5.0)
    assert acked
    assert [cache.get("a") for cache in caches] == [None, None]
    assert [cache.get("b") for cache in caches] == ["kept", "kept"]


async def test_a_lost_subscription_forgets_everything_and_answers_again_once_back(
    redis: RedisClient, nodes: tuple[str, list[Named], list[AckedListener]]
) -> None:
    channel, caches, _ = nodes
    for cache in caches:
        cache.remember("a", "old", cache.generation)
    await redis.client_kill_filter(_type="pubsub")  # every node loses its feed
    await _until(lambda: all(cache.get("a") is None for cache in caches))
    await _until(lambda: all(cache.live for cache in caches))  # subscribed again
    assert [cache.get("a") for cache in caches] == [None, None]  # forgotten, not just hidden
    assert all(cache.remember("a", "new", cache.generation) for cache in caches)
    acked = await publish_acked(redis, channel, f"test:ack:{uuid4().hex}:", {"key": "a"}, 5.0)
    assert acked  # subscribed again: invalidations reach them as before
    assert [cache.get("a") for cache in caches] == [None, None]


async def test_a_stopped_listener_leaves_its_cache_silent(
    nodes: tuple[str, list[Named], list[AckedListener]],
) -> None:
    _, caches, listeners = nodes
    caches[0].remember("a", "one", caches[0].generation)
    await listeners[0].stop()
    assert caches[0].get("a") is None
    assert not caches[0].remember("a", "one", caches[0].generation)
