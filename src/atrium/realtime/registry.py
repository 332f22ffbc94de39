"""The sockets connected to this node: who they are, and indexes to find them by session or user.

Also remembers recent revocations for a short while, so a connection that was authenticated
just before its session was revoked (and registered just after the revocation was handled)
is still refused.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar
from uuid import UUID

K = TypeVar("K")

# Longer than any connect handshake takes between token check and registration.
REVOCATION_MEMORY_SECONDS = 30.0


@dataclass(slots=True)
class SocketInfo:
    """One authenticated socket on this node."""

    sid: str
    user_id: UUID
    session_id: str
    jti: str
    is_superuser: bool
    expires_at: datetime
    roles: tuple[str, ...]
    connected_at: datetime
    # monotonic time the token check began: revocations after it apply to this socket
    checked_at: float = field(default_factory=time.monotonic)


class SocketRegistry:
    """``sid -> SocketInfo`` with indexes by session and by user."""

    def __init__(self) -> None:
        self._sockets: dict[str, SocketInfo] = {}
        self._by_session: dict[str, set[str]] = {}
        self._by_user: dict[UUID, set[str]] = {}

    def __len__(self) -> int:
        return len(self._sockets)

    def get(self, sid: str) -> SocketInfo | None:
        return self._sockets.get(sid)

    def all(self) -> list[SocketInfo]:
        return list(self._sockets.values())

    def add(self, info: SocketInfo) -> None:
        self._sockets[info.sid] = info
        self._by_session.setdefault(info.session_id, set()).add(info.sid)
        self._by_user.setdefault(info.user_id, set()).add(info.sid)

    def remove(self, sid: str) -> SocketInfo | None:
        info = self._sockets.pop(sid, None)
        if info is not None:
            _discard(self._by_session, info.session_id, sid)
            _discard(self._by_user, info.user_id, sid)
        return info

    def replace(self, info: SocketInfo) -> None:
        """Swap a socket's identity (after a token refresh)."""
        self.remove(info.sid)
        self.add(info)

    def of_session(self, session_id: str) -> list[str]:
        return sorted(self._by_session.get(session_id, ()))

    def of_user(self, user_id: UUID, except_session: str | None = None) -> list[str]:
        sids = self._by_user.get(user_id, set())
        return sorted(s for s in sids if self._sockets[s].session_id != except_session)


def _discard(index: dict[K, set[str]], name: K, sid: str) -> None:
    sids = index.get(name)
    if sids is not None:
        sids.discard(sid)
        if not sids:
            del index[name]


@dataclass(frozen=True, slots=True)
class Revocation:
    at: float
    user_id: UUID | None
    session_id: str | None
    except_session: str | None

    def applies_to(self, info: SocketInfo) -> bool:
        if self.at < info.checked_at:
            return False
        if self.session_id is not None:
            return self.session_id == info.session_id
        return self.user_id == info.user_id and self.except_session != info.session_id


class RecentRevocations:
    """Revocations of the last ``REVOCATION_MEMORY_SECONDS``, to close the connect race."""

    def __init__(self, memory_seconds: float = REVOCATION_MEMORY_SECONDS) -> None:
        self._memory = memory_seconds
        self._items: deque[Revocation] = deque()

    def add(self, revocation: Revocation) -> None:
        self._items.append(revocation)
        self._prune()

    def revoked(self, info: SocketInfo) -> bool:
        self._prune()
        return any(item.applies_to(info) for item in self._items)

    def _prune(self) -> None:
        horizon = time.monotonic() - self._memory
        while self._items and self._items[0].at < horizon:
            self._items.popleft()
