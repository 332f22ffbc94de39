"""The to-dos domain's settings group (``ATRIUM_TODOS__*``)."""

from __future__ import annotations

from pydantic import Field

from atrium.config import SettingsGroup


class TodoSettings(SettingsGroup, section="todos"):
    """When due-date reminders go out."""

    # A to-do due within this many minutes (and not done) gets its one reminder.
    reminder_lead_minutes: int = Field(default=60, ge=1, le=10_080)
    # At most this many reminders per run of ``todos.remind_due`` (the next run takes the rest).
    reminder_batch_size: int = Field(default=500, ge=1, le=10_000)
