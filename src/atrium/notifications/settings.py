"""Notifications' settings group (``ATRIUM_NOTIFICATIONS__*``)."""

from __future__ import annotations

from pydantic import Field, field_validator

from atrium.config import SettingsGroup, check_rate


class NotificationSettings(SettingsGroup, section="notifications"):
    """Retention, recipients and send rates (``ATRIUM_NOTIFICATIONS__*``)."""

    # Notifications (and their read markers) are deleted this long after creation (TTL index).
    retention_days: int = Field(default=90, ge=1)
    # Messages between users are deleted this long after they were sent.
    message_retention_days: int = Field(default=365, ge=1)
    # Most users one admin send may name (roles and "everyone" store one document).
    max_recipients: int = Field(default=1000, ge=1)
    max_body_length: int = Field(default=4000, ge=1)
    # Per sender, REST and socket events alike: direct messages, and admin sends.
    message_rate_per_sender: str = "30/minute"
    send_rate_per_sender: str = "10/minute"

    _rates = field_validator("message_rate_per_sender", "send_rate_per_sender")(check_rate)
