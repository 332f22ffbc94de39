"""Role rooms follow role changes on every node, before the change is reported done.

RBAC announces every change of a user's roles, a role's status or code, a role deleted, on its
acknowledged invalidation channel (``atrium.core.invalidation``) after the commit. Each API
node's realtime server subscribes to that channel too: for each event it re-reads the roles of
the named users (every local user for a flush), moves their local sockets out of and into
``role:{code}`` rooms, and only then acknowledges, so the admin request that made the change
answers after every node has moved the sockets.

A connect that read the roles just before a change (and joined its rooms just after the event
was handled) would keep the old rooms: recent changes are remembered for a while and such a
socket is moved again right after it joined.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import structlog

from atrium.core.invalidation import acknowledge
from atrium.core.pubsub import ChannelListener
from atrium.core.redis import RedisClient

log = structlog.get_logger(__name__)

MEMORY_SECONDS = 30.0
Users = frozenset[UUID] | None  # None: every user
OnChange = Callable[[Users], Awaitable[None]]


def users_of(event: Any, listed_type: str) -> Users:
    """The users an RBAC invalidation names; None (everyone) for a flush or anything unknown."""
    if not isinstance(event, dict) or event.get("type") != listed_type:
        return None
    listed = event.get("userIds")
    if not isinstance(listed, list):
        return None
    try:
        return frozenset(UUID(str(user_id)) for user_id in listed)
    except ValueError:
        return None


class RecentRoomChanges:
    """Changes of the last ``MEMORY_SECONDS``, to close the race with a connect in flight."""

    def __init__(self, memory_seconds: float = MEMORY_SECONDS) -> None:
        self._memory = memory_seconds
        self._items: deque[tuple[float, Users]] = deque()

    def add(self, users: Users) -> None:
        self._items.append((time.monotonic(), users))
        horizon = time.monotonic() - self._memory
        while self._items and self._items[0][0] < horizon:
            self._items.popleft()

    def since(self, user_id: UUID, at: float) -> bool:
        return any(t >= at and (users is None or user_id in users) for t, users in self._items)


class RoomListener(ChannelListener):
    """Subscribes to RBAC's invalidations; moves sockets, then acknowledges each event."""

    def __init__(
        self, redis: RedisClient, channel: str, listed_type: str, on_change: OnChange
    ) -> None:
        super().__init__(redis, channel, "realtime-rooms")
        self._listed_type = listed_type
        self._on_change = on_change
        self._seen_subscription = False

    async def on_subscribed(self) -> None:
        # Changes published while the subscription was down are lost: re-check every socket.
        first = not self._seen_subscription
        self._seen_subscription = True
        if not first:
            await self._apply(None)

    async def on_message(self, data: str) -> None:
        try:
            event = json.loads(data)
        except ValueError:
            event = {}
        await self._apply(users_of(event, self._listed_type))
        if isinstance(event, dict):
            await acknowledge(self._redis, event)

    async def _apply(self, users: Users) -> None:
        try:
            await self._on_change(users)
        except Exception:  # one failed move must not stop the listener (nor hold the ack)
            log.exception("realtime_room_move_failed")
