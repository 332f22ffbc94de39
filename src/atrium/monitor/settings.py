"""The system monitor's settings (``ATRIUM_MONITOR__*``)."""

from __future__ import annotations

from pydantic import Field

from atrium.config import SettingsGroup


class MonitorSettings(SettingsGroup, section="monitor"):
    # How often each API node writes its heartbeat; it expires after three missed beats.
    heartbeat_seconds: float = Field(default=5, gt=0, le=300)
    # How often a node pushes a snapshot to its own subscribed sockets.
    push_seconds: float = Field(default=3, gt=0, le=300)
    # How long the expensive parts (workers, queues, Redis, stores, beat) are reused.
    cache_seconds: float = Field(default=2, ge=0, le=60)
    # How long Celery's inspect waits for workers to answer (run in a thread).
    inspect_timeout_seconds: float = Field(default=1.0, gt=0, le=10)
    # The most keys one Redis count walks (SCAN); beyond it the counts say they are partial.
    scan_limit: int = Field(default=10_000, ge=100, le=1_000_000)
    # How many of the next due periodic tasks the beat section lists.
    next_due_count: int = Field(default=5, ge=1, le=50)

    @property
    def node_ttl_seconds(self) -> int:
        """A heartbeat outlives about three beats (at least two seconds)."""
        return max(2, round(self.heartbeat_seconds * 3))
