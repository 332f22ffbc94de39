"""Session validity on the hot path: an in-process cache kept honest by Redis pub/sub.

A warm request checks its session in a dict (no network). Every revocation goes through
``announce``: it publishes an invalidation on ``atrium:auth:invalidations`` and waits until
every subscribed node has applied it and acknowledged (``atrium.core.invalidation``), and only
then publishes the public event on ``atrium:auth:events`` (for realtime) and returns. So when
a revocation is reported done, no node will accept the revoked session again.

Safety nets: entries expire after ``session_cache_seconds``; a fill that raced with an
invalidation is dropped (generation counter); the cache is flushed on every (re)subscribe and
serves nothing while the subscription is down or silent.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from atrium.auth.sessions import SessionValidity
from atrium.config import Settings
from atrium.core.invalidation import AckedListener, Liveness, publish_acked
from atrium.core.redis import RedisClient, key

SESSION_REVOKED = "session_revoked"
USER_SESSIONS_REVOKED = "user_sessions_revoked"
MAX_ENTRIES = 100_000


def events_channel(settings: Settings) -> str:
    """The public channel realtime listens on: ``{prefix}atrium:auth:events``."""
    return key(settings.redis, "atrium", "auth", "events")


def invalidations_channel(settings: Settings) -> str:
    """The acknowledged channel API nodes listen on: ``{prefix}atrium:auth:invalidations``."""
    return key(settings.redis, "atrium", "auth", "invalidations")


class SessionCache:
    """``session id -> validity`` for a short lease, dropped on any matching invalidation."""

    def __init__(self, lease_seconds: float) -> None:
        self.lease = lease_seconds
        self.generation = 0
        self._entries: dict[str, tuple[float, SessionValidity]] = {}
        self._by_user: dict[UUID, set[str]] = {}
        self._liveness = Liveness()

    @property
    def live(self) -> bool:
        """Subscribed and heard from recently: only then may the cache answer."""
        return self.lease > 0 and self._liveness.live

    def heard(self) -> None:
        self._liveness.heard()

    def silenced(self) -> None:
        self._liveness.lost()
        self.flush()

    def get(self, session_id: str) -> SessionValidity | None:
        entry = self._entries.get(session_id)
        if entry is None or not self.live:
            return None
        if entry[0] < time.monotonic():
            self._drop(session_id)
            return None
        return entry[1]

    def put(self, session_id: str, validity: SessionValidity, generation: int) -> None:
        """Remember a validity read from Redis, unless an invalidation arrived meanwhile."""
        if generation != self.generation or not self.live:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self.flush()
        self._entries[session_id] = (time.monotonic() + self.lease, validity)
        self._by_user.setdefault(validity.user_id, set()).add(session_id)

    def apply(self, event: Mapping[str, Any]) -> None:
        """Drop what an invalidation event names."""
        self.generation += 1
        if event.get("type") == SESSION_REVOKED:
            self._drop(str(event.get("sessionId")))
        elif event.get("type") == USER_SESSIONS_REVOKED:
            self._drop_user(str(event.get("userId")), event.get("exceptSessionId"))
        else:
            self.flush()

    def flush(self) -> None:
        self.generation += 1
        self._entries.clear()
        self._by_user.clear()

    def _drop(self, session_id: str) -> None:
        entry = self._entries.pop(session_id, None)
        if entry is not None:
            self._by_user.get(entry[1].user_id, set()).discard(session_id)

    def _drop_user(self, user_id: str, except_session: object) -> None:
        try:
            sessions = self._by_user.get(UUID(user_id), set())
        except ValueError:
            return
        for session_id in [sid for sid in sessions if sid != except_session]:
            sessions.discard(session_id)
            self._entries.pop(session_id, None)


def invalidation_listener(
    redis: RedisClient, settings: Settings, cache: SessionCache
) -> AckedListener:
    """The background task that applies (and acknowledges) invalidations to ``cache``."""
    return AckedListener(redis, invalidations_channel(settings), cache)


async def announce(redis: RedisClient, settings: Settings, event: Mapping[str, str | None]) -> None:
    """Make every node forget what ``event`` revokes, then tell realtime.

    Returns once every node subscribed to invalidations has acknowledged, or after
    ``revocation_ack_timeout_seconds`` (logged: a node that slow falls back on its lease).
    """
    await publish_acked(
        redis,
        invalidations_channel(settings),
        key(settings.redis, "auth", "ack", ""),
        event,
        settings.auth.revocation_ack_timeout_seconds,
    )
    await redis.publish(events_channel(settings), json.dumps(dict(event)))
