"""The Socket.IO client manager of an API node: python-socketio's ``AsyncRedisManager`` with
three changes (python-socketio is pinned below 6; these override its internals):

- readiness: the library subscribes lazily (on the first connection); ``ready`` is set once the
  subscription is confirmed, so start-up can wait for it;
- a bounded reconnect backoff: after a Redis failure the library waits up to 60 s, during which
  the node silently misses every emit; this one retries within 5 s;
- local fan-out without a task per recipient: for an event without an ack callback the library
  creates one asyncio task per recipient socket (1,000 tasks for a broadcast to 1,000 sockets)
  although each send only puts the packet on that socket's unbounded queue. Sending in a loop
  delivers the same packets in the same order with a fraction of the allocations, which is also
  what keeps full garbage collections (the broadcast tail) rare. See docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import socketio
import structlog
from engineio import packet as eio_packet
from socketio import packet as sio_packet

from atrium.core.backoff import Backoff
from atrium.core.pubsub import RECONNECT

log = structlog.get_logger(__name__)


class RedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    """``AsyncRedisManager`` that reports when it is subscribed."""

    def __init__(self, url: str, channel: str) -> None:
        super().__init__(url, channel=channel, write_only=False)
        self.ready = asyncio.Event()

    async def _redis_listen_with_retries(self) -> AsyncIterator[dict[str, Any]]:
        backoff = Backoff(RECONNECT)
        while True:
            try:
                await self.close()  # the previous attempt's connections, if any
                self._redis_connect()
                await self.pubsub.subscribe(self.channel)
                # Redis answers in order: the PONG proves the SUBSCRIBE has been applied.
                await self.pubsub.ping()
                async for message in self.pubsub.listen():
                    if message.get("type") == "pong":
                        self.ready.set()
                        backoff.ok()
                        continue
                    yield message
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.ready.clear()
                retry_in = backoff.failed()
                log.warning("socketio_pubsub_lost", error=repr(exc), retry_in=retry_in)
                await asyncio.sleep(retry_in)

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        if message.get("callback") is not None or message.get("binary"):
            await super()._handle_emit(message)  # acks across hosts, binary: the library's way
            return
        data = message["data"]
        if isinstance(data, list):
            data = data[0] if len(data) == 1 else tuple(data)
        namespace = message.get("namespace") or "/"
        await self._fan_out(
            message["event"], data, namespace, message.get("room"), message.get("skip_sid")
        )

    async def _fan_out(
        self, event: str, data: Any, namespace: str, room: Any, skip_sid: Any
    ) -> None:
        """``AsyncManager.emit`` for the no-callback case, one send after the other."""
        if namespace not in self.rooms:
            return
        args = list(data) if isinstance(data, tuple) else ([] if data is None else [data])
        pkt = self.server.packet_class(sio_packet.EVENT, namespace=namespace, data=[event, *args])
        encoded = pkt.encode()
        packets = [
            eio_packet.Packet(eio_packet.MESSAGE, p)
            for p in (encoded if isinstance(encoded, list) else [encoded])
        ]
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        for sid, eio_sid in self.get_participants(namespace, room):
            if sid not in skip:
                for eio_pkt in packets:
                    await self.server._send_eio_packet(eio_sid, eio_pkt)

    async def close(self) -> None:
        """Close the manager's Redis connections (the listener task is cancelled by the caller)."""
        for client in (self.pubsub, self.redis):
            if client is not None:
                try:
                    await client.aclose()
                except Exception as exc:  # closing on shutdown: nothing more to do
                    log.debug("socketio_redis_close_failed", error=repr(exc))
