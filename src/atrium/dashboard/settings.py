"""The dashboard's settings (``ATRIUM_DASHBOARD__*``)."""

from __future__ import annotations

from pydantic import Field

from atrium.config import SettingsGroup


class DashboardSettings(SettingsGroup, section="dashboard"):
    # How long the per-minute and per-day request rollups are kept (MongoDB's TTL deletes them).
    rollup_retention_days: int = Field(default=400, ge=1, le=36_500)
    # How often a process adds the requests it counted to the stored rollups, seconds.
    flush_interval_seconds: float = Field(default=5, gt=0, le=300)
    # Minutes of counts a process holds while MongoDB cannot be reached; requests of a further
    # minute are dropped and counted (atrium_dashboard_requests_dropped_total).
    pending_minutes: int = Field(default=60, ge=1, le=10_080)
    # The range a figure covers when the caller names none, and the longest range it may ask.
    default_range_days: int = Field(default=30, ge=1, le=3_660)
    max_range_days: int = Field(default=400, ge=1, le=3_660)
