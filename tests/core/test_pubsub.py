"""A kept-alive pub/sub subscription: messages arrive, a lost connection subscribes again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from uuid import uuid4

from atrium.core.pubsub import ChannelListener
from atrium.core.redis import RedisClient
from atrium.core.state import AppState


class Recorder(ChannelListener):
    def __init__(self, redis: RedisClient, channel: str) -> None:
        super().__init__(redis, channel, "test")
        self.events: list[str] = []
        self.changed = asyncio.Event()

    def _record(self, event: str) -> None:
        self.events.append(event)
        self.changed.set()

    async def on_subscribed(self) -> None:
        self._record("subscribed")

    async def on_message(self, data: str) -> None:
        self._record(data)

    def on_lost(self) -> None:
        self._record("lost")

    async def until(self, check: Callable[[], bool], within: float = 10) -> None:
        async with asyncio.timeout(within):
            while not check():
                self.changed.clear()
                await self.changed.wait()


async def test_messages_arrive_and_a_killed_connection_subscribes_again(state: AppState) -> None:
    channel = f"test:pubsub:{uuid4().hex}"
    listener = Recorder(state.redis, channel)
    await listener.start(wait_seconds=5)
    try:
        assert listener.events == ["subscribed"]  # start waited for the subscription
        await state.redis.publish(channel, "one")
        await listener.until(lambda: "one" in listener.events)
        await state.redis.client_kill_filter(_type="pubsub")
        await listener.until(lambda: listener.events.count("subscribed") == 2)
        await state.redis.publish(channel, "two")
        await listener.until(lambda: "two" in listener.events)
    finally:
        await listener.stop()
    assert [e for e in listener.events if e != "lost"] == ["subscribed", "one", "subscribed", "two"]
    assert listener._task is not None
    assert listener._task.done()  # stopped
