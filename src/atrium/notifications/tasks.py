"""Celery tasks of notifications: deliver from a worker (store, then emit through Redis)."""

from __future__ import annotations

from typing import Any

import structlog
from pydantic import ValidationError

from atrium.core.errors import AppError, UnprocessableEntity
from atrium.core.state import AppState
from atrium.core.worker.resources import worker_state
from atrium.core.worker.typed import task
from atrium.notifications import service
from atrium.notifications.runtime import runtime
from atrium.notifications.schemas import NotificationSend

log = structlog.get_logger(__name__)


class SendRefused(ValueError):
    """The task's arguments or the send's limits refused it: nothing was sent (not retried)."""


def send_request(
    user_ids: list[str],
    title: str,
    body: str = "",
    kind: str = "info",
    data: dict[str, Any] | None = None,
) -> NotificationSend:
    """The task's arguments as the request of ``POST /notifications/send`` (its rules: title
    length, type name, body length, at least one user, ...); a ``ValidationError`` if refused."""
    return NotificationSend.model_validate(
        {"user_ids": user_ids, "title": title, "body": body, "type": kind, "data": data or {}}
    )


def check_arguments(args: list[Any], kwargs: dict[str, Any]) -> None:
    """A periodic task's arguments, checked when it is written (``schedule_arguments``)."""
    send_request(*args, **kwargs)


# Scheduling it sends as the scheduler: only for those who may send themselves.
@task(
    name="notifications.send",
    schedule_permission="POST:/api/v1/notifications/send",
    schedule_arguments=check_arguments,
)
async def send(
    user_ids: list[str],
    title: str,
    body: str = "",
    kind: str = "info",
    data: dict[str, Any] | None = None,
) -> list[str]:
    """Notify users from a worker (for example when a long job is done); the stored ids.

    Every rule of ``POST /notifications/send`` holds here too, a scheduled send included: the
    request schema, the size limits, that the users exist, and the per-sender rate (counted as the
    system sender, shared by every worker send). A refused send raises ``SendRefused`` with the
    reason; nothing is stored.
    """
    return await deliver(await worker_state(), user_ids, title, body, kind, data)


async def deliver(
    state: AppState,
    user_ids: list[str],
    title: str,
    body: str = "",
    kind: str = "info",
    data: dict[str, Any] | None = None,
) -> list[str]:
    """The task's work with the stores of ``state``: check as the send route does, then send."""
    try:
        request = send_request(user_ids, title, body, kind, data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        code = UnprocessableEntity.code
        log.warning("notification_send_refused", code=code, problems=problems)
        raise SendRefused(f"{code}: {problems}") from None
    try:
        async with state.db.session() as session:
            sent = await service.send(runtime(state), session, request, None)
    except AppError as exc:
        log.warning("notification_send_refused", code=exc.error_code, problem=exc.detail_message)
        raise SendRefused(f"{exc.error_code}: {exc.detail_message}") from None
    return [notification.id for notification in sent.notifications]
