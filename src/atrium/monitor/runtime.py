"""What the monitor keeps per API node: its heartbeat, its reader, its background tasks."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from atrium.core.state import StateKey
from atrium.monitor.nodes import Heartbeat
from atrium.monitor.service import Monitor


@dataclass(slots=True)
class MonitorRuntime:
    heartbeat: Heartbeat
    monitor: Monitor
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def room(self) -> str:
        """This node's room of subscribed sockets: each node pushes only to its own."""
        return f"monitor:{self.heartbeat.node}"


MONITOR: StateKey[MonitorRuntime] = StateKey("monitor.runtime")
