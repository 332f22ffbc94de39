"""Celery tasks of to-dos: the due-date reminders, sent by a periodic run (``domain.py``'s beat
entry ``todos.remind_due``, every minute)."""

from __future__ import annotations

from datetime import timedelta

from atrium.core.clock import utcnow
from atrium.core.state import AppState
from atrium.core.worker.resources import worker_state
from atrium.core.worker.typed import task
from atrium.notifications.runtime import runtime
from atrium.todos import notices, repository
from atrium.todos.settings import TodoSettings


async def send_reminders(state: AppState) -> int:
    """Remind the assignee (or the owner) of each to-do due within the lead time, once; how
    many were sent.

    The claim (marking the reminder sent) commits before any notification goes out, so a to-do
    is never reminded twice, even by two runs at once; a run that fails after its commit loses
    those reminders rather than repeating them.
    """
    settings = state.settings.group(TodoSettings)
    now = utcnow()
    until = now + timedelta(minutes=settings.reminder_lead_minutes)
    async with state.db.session() as session:
        claimed = await repository.claim_due(session, until, now, settings.reminder_batch_size)
    notifications = runtime(state)
    for due in claimed:
        await notices.remind(notifications, due)
    return len(claimed)


@task(name="todos.remind_due", schedulable=True)
async def remind_due() -> int:
    """Send the due-date reminders (``send_reminders``) on a worker."""
    return await send_reminders(await worker_state())
