"""A Redis pub/sub subscription kept alive in the background, for listeners to build on.

``ChannelListener`` subscribes to one channel, re-subscribes with a growing back-off after any
failure (``RECONNECT``, started over once subscribed again), and wakes at least every
``POLL_SECONDS`` (a blocking read would hit the client's socket timeout when idle). Subclasses
say what a subscription, a message, a quiet poll and a lost connection mean to them.
"""

from __future__ import annotations

import asyncio

import structlog

from atrium.core import cancel
from atrium.core.backoff import Backoff, Exponential
from atrium.core.redis import RedisClient

log = structlog.get_logger(__name__)

POLL_SECONDS = 1.0
# Jittered: after a Redis restart the nodes' listeners do not all come back in the same instant.
RECONNECT = Exponential(first=0.1, cap=5.0, jitter=0.5)


class ChannelListener:
    """Listens to ``channel`` until stopped; the ``on_*`` hooks do the work."""

    def __init__(self, redis: RedisClient, channel: str, name: str) -> None:
        self._redis = redis
        self._channel = channel
        self._name = name
        self._subscribed = asyncio.Event()
        self._backoff = Backoff(RECONNECT)
        self._task: asyncio.Task[None] | None = None

    async def start(self, wait_seconds: float = 5.0) -> None:
        """Run in the background; wait (bounded) for the first subscription."""
        self._task = asyncio.create_task(self._run(), name=f"{self._name}:{self._channel}")
        try:
            await asyncio.wait_for(self._subscribed.wait(), wait_seconds)
        except TimeoutError:
            log.warning("channel_not_subscribed", listener=self._name, channel=self._channel)

    async def stop(self) -> None:
        await cancel.stop(self._task)

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._subscribed.clear()
                self.on_lost()
                retry_in = self._backoff.failed()
                log.warning(
                    "channel_lost",
                    listener=self._name,
                    channel=self._channel,
                    error=repr(exc),
                    retry_in=retry_in,
                )
                await asyncio.sleep(retry_in)

    async def _listen(self) -> None:
        async with self._redis.pubsub() as pubsub:
            await pubsub.subscribe(self._channel)
            while True:
                message = await pubsub.get_message(timeout=POLL_SECONDS)
                if message is None:
                    self.on_quiet()
                elif message["type"] == "subscribe":
                    await self.on_subscribed()
                    self._backoff.ok()
                    self._subscribed.set()
                elif message["type"] == "message":
                    await self.on_message(message["data"])

    async def on_subscribed(self) -> None:
        """Subscribed (again): whatever was published meanwhile is lost."""

    async def on_message(self, data: str) -> None:
        """One message's payload."""

    def on_quiet(self) -> None:
        """A poll found nothing: the subscription is alive."""

    def on_lost(self) -> None:
        """The subscription failed; it is retried after a back-off."""
