"""Listens to ``atrium:auth:events`` and turns each revocation into a ``Revocation``.

The auth domain publishes, after every node has dropped the revoked session from its cache:
``{"type": "session_revoked", "userId", "sessionId"}`` (logout, one session revoked) and
``{"type": "user_sessions_revoked", "userId", "exceptSessionId"?}`` (log out everywhere, kick-out,
user disabled, password changed). Every API node listens and disconnects its own sockets.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any
from uuid import UUID

import structlog

from atrium.auth.validity import SESSION_REVOKED, USER_SESSIONS_REVOKED, events_channel
from atrium.config import Settings
from atrium.core.redis import RedisClient
from atrium.realtime.registry import Revocation

log = structlog.get_logger(__name__)

# Other event types that end every session of ``userId`` (published by user administration).
USER_WIDE_TYPES = frozenset({USER_SESSIONS_REVOKED, "user_disabled", "user_deleted"})

SUBSCRIBE_TIMEOUT_SECONDS = 5.0
POLL_SECONDS = 1.0

OnRevocation = Callable[[Revocation], Awaitable[None]]
OnSubscribed = Callable[[], Awaitable[None]]


def parse(event: Any) -> Revocation | None:
    """The revocation an auth event describes; None for anything else."""
    if not isinstance(event, dict):
        return None
    kind, user = event.get("type"), _uuid(event.get("userId"))
    if kind == SESSION_REVOKED and isinstance(session := event.get("sessionId"), str):
        return Revocation(time.monotonic(), user, session, None)
    if kind in USER_WIDE_TYPES and user is not None:
        except_session = event.get("exceptSessionId")
        keep = except_session if isinstance(except_session, str) else None
        return Revocation(time.monotonic(), user, None, keep)
    return None


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value)) if value is not None else None
    except ValueError:
        return None


class RevocationListener:
    """Subscribes to the auth events channel (reconnecting) and hands revocations on."""

    def __init__(
        self,
        redis: RedisClient,
        settings: Settings,
        on_revocation: OnRevocation,
        on_resubscribed: OnSubscribed,
    ) -> None:
        self._redis = redis
        self._channel = events_channel(settings)
        self._on_revocation = on_revocation
        self._on_resubscribed = on_resubscribed
        self._subscribed = asyncio.Event()
        self._seen_subscription = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Run in the background; wait (bounded) for the first subscription."""
        self._task = asyncio.create_task(self._run(), name="realtime-revocations")
        try:
            await asyncio.wait_for(self._subscribed.wait(), SUBSCRIBE_TIMEOUT_SECONDS)
        except TimeoutError:
            log.warning("realtime_revocations_not_subscribed", channel=self._channel)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._subscribed.clear()
                log.warning("realtime_revocations_lost", error=repr(exc), retry_in=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _listen(self) -> None:
        async with self._redis.pubsub() as pubsub:
            await pubsub.subscribe(self._channel)
            while True:
                # A bounded wait: a blocking read would hit the client's socket timeout when idle.
                message = await pubsub.get_message(timeout=POLL_SECONDS)
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    await self._subscribed_again()
                elif message["type"] == "message":
                    await self._handle(message["data"])

    async def _subscribed_again(self) -> None:
        # Events published while the subscription was down are lost: re-check every socket.
        first = not self._seen_subscription
        self._seen_subscription = True
        self._subscribed.set()
        if not first:
            try:
                await self._on_resubscribed()
            except Exception:
                log.exception("realtime_revalidation_failed")

    async def _handle(self, data: str) -> None:
        try:
            revocation = parse(json.loads(data))
        except ValueError:
            revocation = None
        if revocation is None:
            return
        try:
            await self._on_revocation(revocation)
        except Exception:  # one bad disconnect must not stop the listener
            log.exception("realtime_revocation_failed")
