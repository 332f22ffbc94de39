"""What the to-dos domain tells users (through ``atrium.notifications``: stored, then emitted).

Types: ``todos.assigned`` (to the new assignee) and ``todos.due`` (the reminder, to the
assignee or, for an unassigned to-do, the owner). ``data`` carries the to-do's id.
"""

from __future__ import annotations

from uuid import UUID

from atrium.core.clock import human_time
from atrium.core.db import AfterCommit
from atrium.notifications import service as notifications_service
from atrium.notifications.runtime import NotificationsRuntime
from atrium.todos.models import Todo
from atrium.todos.repository import Due

ASSIGNED = "todos.assigned"
DUE = "todos.due"


def assigned(notifications: NotificationsRuntime, todo: Todo, by: UUID) -> AfterCommit:
    """The notice to ``todo``'s assignee, to send after the commit."""
    recipient, title, todo_id = todo.assignee_id, todo.title, str(todo.id)

    async def send() -> None:
        if recipient is not None:
            await notifications_service.notify(
                notifications,
                users=[recipient],
                type=ASSIGNED,
                title=f"Assigned to you: {title}"[:200],
                data={"todoId": todo_id},
                sender_id=by,
            )

    return send


async def remind(notifications: NotificationsRuntime, due: Due) -> None:
    """The due-date reminder of one claimed to-do."""
    await notifications_service.notify(
        notifications,
        users=[due.recipient],
        type=DUE,
        title=f"Due soon: {due.title}"[:200],
        body=f"Due at {human_time(due.due_at)}.",
        data={"todoId": str(due.id), "dueAt": human_time(due.due_at)},
    )
