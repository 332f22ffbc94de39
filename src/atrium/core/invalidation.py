"""Acknowledged invalidations: in-process caches kept honest across nodes by Redis pub/sub.

A node caches something (a session's validity, a user's permission set) in a dict so the warm
request path needs no network. A change goes through ``publish_acked``: it publishes an event
on the cache's channel and waits until every subscribed node has applied it and acknowledged
(``RPUSH`` to a one-off ack list). So once the change is reported done, no node serves the old
value again.

Safety nets, for a node that misses a message: caches expire entries after a short lease, a
fill that raced with an invalidation is dropped (each sink keeps a generation counter), and a
sink is flushed on every (re)subscribe and serves nothing while the subscription is down or
silent (``Liveness``).

A domain whose cache is filled from its tables announces after each commit that changed them
(``AnnouncingHook``, a commit hook), so the caller goes on only once every node forgot.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Mapping
from typing import Any, ClassVar, Protocol, cast

import structlog
from redis.exceptions import RedisError

from atrium.config import Settings
from atrium.core.ids import uuid7
from atrium.core.pubsub import ChannelListener
from atrium.core.redis import RedisClient
from atrium.core.uow import Committed

log = structlog.get_logger(__name__)

# A subscription silent for longer than this (it wakes every POLL_SECONDS) turns caches off.
SILENCE_SECONDS = 3.0
ACK_TTL_SECONDS = 60


class InvalidationSink(Protocol):
    """What a listener feeds: an in-process cache."""

    def apply(self, event: Mapping[str, Any]) -> None:
        """Drop what the event names (flush everything for an unknown event)."""

    def heard(self) -> None:
        """The subscription is alive."""

    def flush(self) -> None:
        """Forget everything (called on every subscribe)."""

    def silenced(self) -> None:
        """The subscription is lost: forget everything and answer nothing until heard."""


class Liveness:
    """Whether a push-invalidated cache may answer: subscribed and heard from recently."""

    def __init__(self) -> None:
        self._heard_at = float("-inf")

    @property
    def live(self) -> bool:
        return time.monotonic() - self._heard_at < SILENCE_SECONDS

    def heard(self) -> None:
        self._heard_at = time.monotonic()

    def lost(self) -> None:
        self._heard_at = float("-inf")


class AckedListener(ChannelListener):
    """Applies a channel's events to a sink and acknowledges them; reconnects on failure."""

    def __init__(self, redis: RedisClient, channel: str, sink: InvalidationSink) -> None:
        super().__init__(redis, channel, "invalidations")
        self._sink = sink

    async def stop(self) -> None:
        await super().stop()
        self._sink.silenced()

    async def on_subscribed(self) -> None:
        self._sink.flush()  # whatever was missed while away is forgotten
        self._sink.heard()

    def on_quiet(self) -> None:
        self._sink.heard()

    def on_lost(self) -> None:
        self._sink.silenced()

    async def on_message(self, data: str) -> None:
        try:
            event = json.loads(data)
        except ValueError:
            event = {}
        event = event if isinstance(event, dict) else {}
        self._sink.apply(event)
        self._sink.heard()
        await acknowledge(self._redis, event)


async def acknowledge(redis: RedisClient, event: Mapping[str, Any]) -> None:
    """Tell the publisher of ``event`` that this subscriber has applied it."""
    if isinstance(ack := event.get("ack"), str):
        async with redis.pipeline(transaction=True) as pipe:
            pipe.rpush(ack, "1")
            pipe.expire(ack, ACK_TTL_SECONDS)
            await pipe.execute()


async def publish_acked(
    redis: RedisClient, channel: str, ack_prefix: str, event: Mapping[str, Any], ack_seconds: float
) -> bool:
    """Publish ``event`` on ``channel`` and wait until every subscriber has applied it.

    Returns False (and logs) if some subscriber did not acknowledge within ``ack_seconds``: that
    node falls back on its lease.
    """
    ack_key = f"{ack_prefix}{uuid7().hex}"
    receivers = await redis.publish(channel, json.dumps({**event, "ack": ack_key}))
    deadline = time.monotonic() + ack_seconds
    received = 0
    try:
        while received < receivers:
            remaining = deadline - time.monotonic()
            if remaining <= 0.001:
                log.warning("invalidation_unacknowledged", channel=channel, expected=receivers)
                return False
            if await _blpop(redis, ack_key, remaining) is not None:
                received += 1
        return True
    finally:
        await redis.delete(ack_key)


async def _blpop(redis: RedisClient, list_key: str, seconds: float) -> list[str] | None:
    # redis-py types blocking commands as sync-or-async; the asyncio client awaits.
    return await cast(Awaitable[list[str] | None], redis.blpop([list_key], timeout=seconds))


class AnnouncingHook:
    """A commit hook: a commit that changed any of ``tables`` is announced once (``announce``)
    before the caller goes on. When Redis cannot be reached the change stays saved and the
    caller gets ``failure`` (a 503 of the domain's); nodes catch up when their lease ends.

    Hung with ``db.on_commit(hook, hook.tables)`` wherever SQL is opened (a domain's ``attach``).
    """

    tables: ClassVar[frozenset[str]]
    failure: ClassVar[type[Exception]]

    def __init__(self, redis: RedisClient, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    async def __call__(self, committed: Committed) -> None:
        if not any(change.entity in self.tables for change in committed.changes):
            return
        try:
            await self.announce()
        except RedisError as exc:
            raise self.failure() from exc

    async def announce(self) -> None:
        """Tell every node (a subclass says how)."""
        raise NotImplementedError
