"""Per-sender rate limits of direct messages and admin notification sends.

Checked in the services (``messages.send``, ``service.send``), so the REST routes and the socket
events share one count per sender: ``message_rate_per_sender`` and ``send_rate_per_sender``
(moving windows in Redis, every node). Sends from a worker (the ``notifications.send`` task,
scheduled or not) have no user behind them and share one count, the system sender's
(``SYSTEM_SENDER``). Over a limit: 429 ``MESSAGE_RATE_LIMITED`` or
``NOTIFICATION_RATE_LIMITED`` with ``Retry-After`` on REST; the same code in a socket event's
error ack, whose message says how long to wait.
"""

from __future__ import annotations

from uuid import UUID

from atrium.core.ratelimit import rate_limit
from atrium.notifications.errors import MessageRateLimited, NotificationRateLimited
from atrium.notifications.runtime import NotificationsRuntime
from atrium.notifications.settings import NotificationSettings

SYSTEM_SENDER = "system"
"""The sender that worker sends (scheduled ones included) are counted as; no user id is it."""


async def check_message(notifications: NotificationsRuntime, sender_id: UUID) -> None:
    """Count one direct message of ``sender_id``; 429 once over the limit."""
    rate = notifications.settings.group(NotificationSettings).message_rate_per_sender
    retry_after = await notifications.limiter.hit(rate_limit(rate), "message", str(sender_id))
    if retry_after is not None:
        raise MessageRateLimited(
            f"Too many messages; retry in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )


async def check_send(notifications: NotificationsRuntime, sender_id: UUID | None) -> None:
    """Count one notification send of ``sender_id`` (None: the system); 429 once over the
    limit."""
    rate = notifications.settings.group(NotificationSettings).send_rate_per_sender
    sender = SYSTEM_SENDER if sender_id is None else str(sender_id)
    retry_after = await notifications.limiter.hit(rate_limit(rate), "send", sender)
    if retry_after is not None:
        raise NotificationRateLimited(
            f"Too many notification sends; retry in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )
