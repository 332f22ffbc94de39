"""The to-dos domain's rules: who reaches which to-do, and who may change, reassign or delete it.

- A to-do is reached by its owner, its assignee and holders of ``todos:admin`` (the data scope,
  ``models.TODO_SCOPE``); anyone else gets 404 ``TODOS_NOT_FOUND``, whether it exists or not.
- Whoever reaches it may read and edit it (title, description, status, priority, due date).
- Only the owner (or a ``todos:admin``) deletes or reassigns it; the assignee gets 403
  ``TODOS_OWNER_ONLY``. The owner never changes.
- An assignee must be an existing, active user (asked of the users domain), else 422
  ``TODOS_ASSIGNEE_INVALID``; the new assignee is notified once the change is committed.

Functions flush and never commit: the caller's session commits.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.datascope import Caller, Reach
from atrium.core.db import after_commit
from atrium.core.mapping import FieldMap
from atrium.core.pages import Page, PageParams
from atrium.notifications.runtime import NotificationsRuntime
from atrium.todos import notices, repository
from atrium.todos.errors import (
    TodoAssigneeInvalid,
    TodoDueRangeInvalid,
    TodoNotFound,
    TodoOwnerOnly,
)
from atrium.todos.models import TODO_SCOPE, Todo
from atrium.todos.repository import TodoFilters
from atrium.todos.schemas import SortOrder, TodoCreate, TodoSort, TodoUpdate
from atrium.users import service as users_service

TODO_CREATE = FieldMap(TodoCreate, Todo)
TODO_UPDATE = FieldMap(TodoUpdate, Todo)


async def list_todos(
    session: AsyncSession,
    caller: Caller,
    filters: TodoFilters,
    sort: tuple[TodoSort, SortOrder],
    params: PageParams,
    reach: Reach = Reach.ALL,
) -> Page[Todo]:
    """The to-dos within the caller's reach that pass every filter, sorted, one page."""
    if filters.due_before and filters.due_after and filters.due_after > filters.due_before:
        raise TodoDueRangeInvalid()
    return await repository.page(session, caller, filters, sort, params, reach)


async def get_visible(session: AsyncSession, caller: Caller, todo_id: UUID) -> Todo:
    """The to-do, if it is within the caller's scope; else a 404, existing or not."""
    found = await repository.get_in_scope(session, todo_id, caller)
    if found is None:
        raise TodoNotFound()
    return found


async def _check_assignee(session: AsyncSession, assignee_id: UUID | None) -> None:
    if assignee_id is None:
        return
    user = await users_service.get(session, assignee_id)
    if user is None or not user.is_active:
        raise TodoAssigneeInvalid()


async def create(
    session: AsyncSession, notifications: NotificationsRuntime, owner_id: UUID, data: TodoCreate
) -> Todo:
    """A to-do owned by ``owner_id``; its assignee (if another user) is told."""
    await _check_assignee(session, data.assignee_id)
    todo = TODO_CREATE.create(data, owner_id=owner_id)
    session.add(todo)
    await session.flush()
    _tell_assignee(session, notifications, todo, by=owner_id)
    return todo


async def update(session: AsyncSession, todo: Todo, data: TodoUpdate) -> Todo:
    """Change the fields sent; a new due date gets its own reminder."""
    due_before = todo.due_at
    TODO_UPDATE.apply(todo, data, clearable={"due_at"})
    if todo.due_at != due_before:
        todo.reminded_at = None
    await session.flush()
    return todo


def _owner_only(caller: Caller, todo: Todo) -> None:
    if not (caller.sees_all or TODO_SCOPE.owns(todo, caller)):
        raise TodoOwnerOnly()


async def assign(
    session: AsyncSession,
    notifications: NotificationsRuntime,
    caller: Caller,
    todo: Todo,
    assignee_id: UUID | None,
) -> Todo:
    """Give the to-do to another user (or nobody): the owner's or a ``todos:admin``'s call."""
    _owner_only(caller, todo)
    if assignee_id == todo.assignee_id:
        return todo
    await _check_assignee(session, assignee_id)
    todo.assignee_id = assignee_id
    await session.flush()
    _tell_assignee(session, notifications, todo, by=caller.user_id)
    return todo


async def delete(session: AsyncSession, caller: Caller, todo: Todo) -> None:
    """Delete the to-do: the owner's or a ``todos:admin``'s call."""
    _owner_only(caller, todo)
    await session.delete(todo)
    await session.flush()


def _tell_assignee(
    session: AsyncSession, notifications: NotificationsRuntime, todo: Todo, by: UUID
) -> None:
    # Nobody is told of what they did themselves; and only once the change is committed.
    if todo.assignee_id is not None and todo.assignee_id != by:
        after_commit(session, notices.assigned(notifications, todo, by))
