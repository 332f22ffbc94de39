"""What the calendar domain tells users (through ``atrium.notifications``: stored, then emitted).

Type ``calendar.reminder``: to the organiser and every attendee who has not declined, once per
reminder of each occurrence. ``data`` carries the event's id and the occurrence's start (UTC).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from atrium.core.clock import human_time
from atrium.notifications import service as notifications_service
from atrium.notifications.runtime import NotificationsRuntime

REMINDER = "calendar.reminder"


async def remind(
    notifications: NotificationsRuntime,
    recipients: Sequence[UUID],
    event_id: UUID,
    title: str,
    start: datetime,
) -> None:
    """The reminder of one claimed occurrence."""
    await notifications_service.notify(
        notifications,
        users=list(recipients),
        type=REMINDER,
        title=f"Soon: {title}"[:200],
        body=f"Starts at {human_time(start)}.",
        data={"eventId": str(event_id), "occurrenceStart": human_time(start)},
    )
