"""The calendar domain's settings group (``ATRIUM_CALENDAR__*``)."""

from __future__ import annotations

from pydantic import Field

from atrium.config import SettingsGroup


class CalendarSettings(SettingsGroup, section="calendar"):
    """How far lists reach and how reminders are found."""

    # The longest range one list may ask for (``from`` to ``to``), in days.
    max_range_days: int = Field(default=366, ge=1, le=3660)
    # A reminder whose time fell within this many minutes before a run is still sent (once): a
    # beat or worker down around its time catches up when it is back.
    reminder_lookback_minutes: int = Field(default=10, ge=1, le=1440)
