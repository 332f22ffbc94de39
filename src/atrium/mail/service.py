"""Queueing mail: render now (a broken template fails where it is used), log it, send later.

``queue`` writes the log entry and hands the rendered message to the ``mail.send`` task. Given
the request's SQL session it sends only once that session has committed (nothing is mailed for a
change that was rolled back); without one it sends at once. The task is published off the event
loop (``TypedTask.send``); a broker that does not take it marks the entry failed, and without a
session the caller gets 503 ``TASK_QUEUE_UNAVAILABLE``.
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import make_msgid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.clock import utcnow
from atrium.core.db import after_commit
from atrium.core.errors import TaskQueueUnavailable
from atrium.mail.documents import MailLog, MailStatus
from atrium.mail.rendering import render
from atrium.mail.settings import MailSettings


async def queue(
    settings: MailSettings,
    to: list[str],
    template: str,
    context: dict[str, Any],
    *,
    session: AsyncSession | None = None,
    package: str | None = None,
) -> MailLog:
    """Log and send the message ``template`` to ``to`` (through the worker, with retries);
    ``package`` names the domain whose ``templates`` folder holds it."""
    from atrium.mail.tasks import send

    rendered = render(template, context, settings.templates_dir, package)
    created = utcnow()
    entry = MailLog(
        to=to,
        template=template,
        subject=rendered.subject,
        message_id=make_msgid(domain=_domain(settings.sender)),
        created_at=created,
        expires_at=created + timedelta(days=settings.log_retention_days),
    )
    await entry.insert()
    log_id = str(entry.id)

    async def dispatch() -> None:
        try:
            await send.send(log_id, to, rendered.subject, rendered.text, rendered.html)
        except TaskQueueUnavailable:
            await _unqueued(entry)
            raise

    if session is not None:
        after_commit(session, dispatch)
    else:
        await dispatch()
    return entry


async def _unqueued(entry: MailLog) -> None:
    entry.status, entry.error = MailStatus.FAILED, "the task queue did not take the message"
    await entry.save()


def _domain(sender: str) -> str | None:
    address = sender.rpartition("<")[2].rstrip(">").strip()
    return address.rpartition("@")[2] or None
