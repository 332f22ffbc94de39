"""The system monitor's error: its capability is missing."""

from __future__ import annotations

from atrium.core.errors import Forbidden


class MonitorReadRequired(Forbidden):
    """A monitor route or socket event is called by someone without ``monitor:read``."""

    code = "MONITOR_READ_REQUIRED"
    message = "The system monitor needs the capability monitor:read."
