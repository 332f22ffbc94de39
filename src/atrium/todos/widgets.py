"""The to-dos' dashboard widget: the caller's open to-dos (theirs, or assigned to them)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.widgets import Widget, WidgetItem, WidgetSource
from atrium.todos import repository

SHOWN = 10


async def open_todos(session: AsyncSession, user_id: UUID, _now: datetime) -> Widget:
    found, total = await repository.open_of(session, user_id, SHOWN)
    items = tuple(
        WidgetItem(id=str(todo.id), title=todo.title, at=todo.due_at, detail=todo.status.value)
        for todo in found
    )
    return Widget(name="todos.open", title="My open to-dos", total=total, items=items)


WIDGETS: list[WidgetSource] = [open_todos]
