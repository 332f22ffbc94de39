"""The todos domain's rules: who sees which rows, creating and deleting them.

Functions flush and never commit: the caller's session commits (a request's when the route
returns, a task's when its block ends).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.mapping import FieldMap
from atrium.core.pages import Page, PageParams
from atrium.todos import repository
from atrium.todos.errors import TodoNotFound
from atrium.todos.models import Todo
from atrium.todos.schemas import TodoCreate

TODO_CREATE = FieldMap(TodoCreate, Todo)


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who asks: they see their own todos, or all when ``sees_all``."""

    user_id: UUID
    sees_all: bool = False

    def sees(self, todo: Todo) -> bool:
        return self.sees_all or todo.owner_id == self.user_id


async def list_todos(session: AsyncSession, viewer: Viewer, params: PageParams) -> Page[Todo]:
    owner_id = None if viewer.sees_all else viewer.user_id
    return await repository.page(session, owner_id, params)


async def get_visible(session: AsyncSession, viewer: Viewer, todo_id: UUID) -> Todo:
    """The todo, if the viewer may see it; else a 404, existing or not."""
    found = await repository.get(session, todo_id)
    if found is None or not viewer.sees(found):
        raise TodoNotFound()
    return found


async def create(session: AsyncSession, owner_id: UUID, data: TodoCreate) -> Todo:
    todo = TODO_CREATE.create(data, owner_id=owner_id)
    session.add(todo)
    await session.flush()
    return todo


async def delete(session: AsyncSession, todo: Todo) -> None:
    await session.delete(todo)
    await session.flush()


async def count_by_owner(session: AsyncSession) -> dict[UUID, int]:
    return await repository.count_by_owner(session)
