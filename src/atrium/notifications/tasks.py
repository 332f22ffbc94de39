"""Celery tasks of notifications: deliver from a worker (store, then emit through Redis)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from atrium.notifications import service
from atrium.worker.resources import worker_state
from atrium.worker.typed import task


# Scheduling it sends as the scheduler: only for those who may send themselves.
@task(name="notifications.send", schedule_permission="POST:/api/v1/notifications/send")
async def send(
    user_ids: list[str],
    title: str,
    body: str = "",
    kind: str = "info",
    data: dict[str, Any] | None = None,
) -> list[str]:
    """Notify users from a worker (for example when a long job is done); the stored ids.

    The size limits of ``POST /notifications/send`` hold here too (a scheduled send included).
    """
    state = await worker_state()
    service.check_size(state, body, len(set(user_ids)))
    sent = await service.notify(
        state, users=[UUID(uid) for uid in user_ids], title=title, body=body, type=kind, data=data
    )
    return [notification.id for notification in sent]
