"""Listens to ``atrium:auth:events`` and turns each revocation into a ``Revocation``.

The auth domain publishes, after every node has dropped the revoked session from its cache:
``{"type": "session_revoked", "userId", "sessionId"}`` (logout, one session revoked) and
``{"type": "user_sessions_revoked", "userId", "exceptSessionId"?}`` (log out everywhere, kick-out,
user disabled, password changed). Every API node listens and disconnects its own sockets.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import structlog

from atrium.auth.validity import SESSION_REVOKED, USER_SESSIONS_REVOKED, events_channel
from atrium.config import Settings
from atrium.core.pubsub import ChannelListener
from atrium.core.redis import RedisClient
from atrium.realtime.registry import Revocation

log = structlog.get_logger(__name__)

# Other event types that end every session of ``userId`` (published by user administration).
USER_WIDE_TYPES = frozenset({USER_SESSIONS_REVOKED, "user_disabled", "user_deleted"})


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


class RevocationListener(ChannelListener):
    """Subscribes to the auth events channel (reconnecting) and hands revocations on."""

    def __init__(
        self,
        redis: RedisClient,
        settings: Settings,
        on_revocation: OnRevocation,
        on_resubscribed: OnSubscribed,
    ) -> None:
        super().__init__(redis, events_channel(settings), "realtime-revocations")
        self._on_revocation = on_revocation
        self._on_resubscribed = on_resubscribed
        self._seen_subscription = False

    async def on_subscribed(self) -> None:
        # Events published while the subscription was down are lost: re-check every socket.
        first = not self._seen_subscription
        self._seen_subscription = True
        if not first:
            try:
                await self._on_resubscribed()
            except Exception:
                log.exception("realtime_revalidation_failed")

    async def on_message(self, data: str) -> None:
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
