"""Realtime's settings group (``ATRIUM_REALTIME__*``)."""

from __future__ import annotations

from pydantic import Field

from atrium.config import SettingsGroup


class RealtimeSettings(SettingsGroup, section="realtime"):
    """The Socket.IO server, presence and garbage-collector tuning (``ATRIUM_REALTIME__*``)."""

    # Where Socket.IO is mounted (clients use it as their ``path`` option).
    path: str = "/socket.io"
    # Redis pub/sub channel shared by every API node and worker (the key prefix is added).
    channel: str = "atrium:socketio"
    ping_interval_seconds: float = Field(default=25.0, gt=0)
    ping_timeout_seconds: float = Field(default=20.0, gt=0)
    # Largest message a client may send, bytes.
    max_message_bytes: int = Field(default=64 * 1024, ge=1024)
    # Presence: each node refreshes its liveness this often; a silent node is dropped after the TTL.
    presence_heartbeat_seconds: float = Field(default=10.0, gt=0)
    presence_node_ttl_seconds: int = Field(default=30, ge=2)
    # An ``auth:expiring`` event is sent this long before the socket's token expires.
    token_expiry_warning_seconds: int = Field(default=60, ge=0)
    # Move start-up objects out of the garbage collector's reach (shorter full-GC pauses).
    # None: on, except in the testing environment (a test process builds many apps).
    gc_freeze: bool | None = None
    # Garbage-collector thresholds set at start-up (Python's are 700, 10, 10). A large first one
    # lets a broadcast's short-lived objects die before a collection promotes them, so full
    # collections (the broadcast tail) become rare. None keeps Python's.
    gc_thresholds: tuple[int, int, int] | None = (10_000, 20, 100)
