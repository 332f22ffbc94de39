"""``mail.send``: deliver one logged message, retrying with back-off while the server refuses.

A redelivered task (``acks_late``: the worker died after sending) finds the entry already sent
and does nothing, so a message goes out once. After the last retry the entry is ``failed`` with
the server's last answer.
"""

from __future__ import annotations

from typing import Any

from beanie import PydanticObjectId

from atrium.core.backoff import Exponential
from atrium.core.clock import utcnow
from atrium.core.worker.resources import worker_state
from atrium.core.worker.typed import bound_task
from atrium.mail.delivery import TRANSIENT, build, deliver
from atrium.mail.documents import MailLog, MailStatus
from atrium.mail.rendering import Rendered
from atrium.mail.settings import MailSettings

ERROR_MAX_LENGTH = 500
FIRST_RETRY_SECONDS = 2.0


@bound_task(name="mail.send")
async def send(
    self: Any, log_id: str, to: list[str], subject: str, text: str, html: str | None = None
) -> str:
    """Send the message logged as ``log_id``; its final status ("sent", or "gone" if expired)."""
    state = await worker_state()
    settings = state.settings.group(MailSettings)
    entry = await MailLog.get(PydanticObjectId(log_id))
    if entry is None:
        return "gone"
    if entry.status is MailStatus.SENT:
        return MailStatus.SENT.value
    message = build(settings, to, Rendered(subject, text, html), entry.message_id)
    entry.attempts += 1
    try:
        await deliver(settings, message)
    except TRANSIENT as exc:
        await _failed(entry, exc, final=self.request.retries >= settings.max_retries)
        if entry.status is MailStatus.FAILED:
            raise
        policy = Exponential(FIRST_RETRY_SECONDS, settings.retry_backoff_max_seconds)
        raise self.retry(exc=exc, countdown=policy.delay(self.request.retries + 1)) from exc
    entry.status, entry.sent_at, entry.error = MailStatus.SENT, utcnow(), None
    await entry.save()
    return MailStatus.SENT.value


async def _failed(entry: MailLog, exc: BaseException, *, final: bool) -> None:
    entry.status = MailStatus.FAILED if final else MailStatus.RETRYING
    entry.error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_LENGTH]
    await entry.save()
