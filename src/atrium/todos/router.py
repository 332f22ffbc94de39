"""The to-dos API: list (filtered, sorted, paged), create, read, edit, reassign, delete.

Each route needs a permission code derived from its method and path (``POST:/api/v1/todos``),
granted through roles (the seeded ``user`` role holds them all); superusers pass. Within a
route, the rules of ``service.py`` decide: the owner and the assignee reach a to-do, nobody else
(404), only the owner deletes or reassigns it (403 for the assignee), and ``todos:admin``
reaches and manages every one.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from atrium.auth.deps import CurrentPrincipal
from atrium.core.datascope import Reach
from atrium.core.deps import SessionDep
from atrium.core.pages import Page
from atrium.core.pagination import PageParamsDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.notifications.deps import NotificationsDep
from atrium.todos import service
from atrium.todos.deps import CallerDep, VisibleTodo
from atrium.todos.models import TodoStatus
from atrium.todos.repository import TodoFilters
from atrium.todos.schemas import SortOrder, TodoAssign, TodoCreate, TodoRead, TodoSort, TodoUpdate

router = APIRouter(prefix="/todos", tags=["todos"])
ONE = error_responses(401, 403, 404)
WRITE = error_responses(401, 403, 404, 422)


def list_filters(
    status: TodoStatus | None = None,
    assignee_id: Annotated[UUID | None, Query(alias="assigneeId")] = None,
    owner_id: Annotated[UUID | None, Query(alias="ownerId")] = None,
    due_before: Annotated[
        AwareDatetime | None, Query(alias="dueBefore", description="Due before this moment")
    ] = None,
    due_after: Annotated[
        AwareDatetime | None, Query(alias="dueAfter", description="Due at or after this moment")
    ] = None,
    q: Annotated[str | None, Query(max_length=200, description="The title contains it")] = None,
) -> TodoFilters:
    return TodoFilters(status, assignee_id, owner_id, due_before, due_after, q)


def list_sort(
    sort: Annotated[TodoSort, Query(description="Sort key")] = TodoSort.CREATED,
    order: Annotated[SortOrder, Query(description="Direction")] = SortOrder.DESC,
) -> tuple[TodoSort, SortOrder]:
    return sort, order


FiltersDep = Annotated[TodoFilters, Depends(list_filters)]
SortDep = Annotated[tuple[TodoSort, SortOrder], Depends(list_sort)]
ScopeQuery = Annotated[
    Reach, Query(description="own: mine; shared: assigned to me; all: every one I may see")
]


@router.get("", responses=error_responses(401, 403, 422))
async def list(
    session: SessionDep,
    caller: CallerDep,
    filters: FiltersDep,
    sort: SortDep,
    params: PageParamsDep,
    scope: ScopeQuery = Reach.ALL,
) -> Envelope[Page[TodoRead]]:
    """To-dos I own or am assigned (every one for todos:admin), filtered, sorted, in pages."""
    found = await service.list_todos(session, caller, filters, sort, params, scope)
    return ok(Page[TodoRead].model_validate(found, from_attributes=True))


@router.post("", status_code=201, responses=error_responses(401, 403, 422))
async def create(
    body: TodoCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    notifications: NotificationsDep,
) -> Envelope[TodoRead]:
    """Create a to-do, owned by the caller (its assignee is notified)."""
    created = await service.create(session, notifications, principal.user_id, body)
    return ok(TodoRead.model_validate(created))


@router.get("/{todo_id}", responses=ONE)
async def get(todo: VisibleTodo) -> Envelope[TodoRead]:
    """One to-do I own or am assigned."""
    return ok(TodoRead.model_validate(todo))


@router.patch("/{todo_id}", responses=WRITE)
async def update(todo: VisibleTodo, body: TodoUpdate, session: SessionDep) -> Envelope[TodoRead]:
    """Edit a to-do: title, description, status, priority, due date."""
    return ok(TodoRead.model_validate(await service.update(session, todo, body)))


@router.put("/{todo_id}/assignee", responses=WRITE)
async def assign(
    todo: VisibleTodo,
    body: TodoAssign,
    session: SessionDep,
    caller: CallerDep,
    notifications: NotificationsDep,
) -> Envelope[TodoRead]:
    """Reassign a to-do (owner only; the new assignee is notified)."""
    changed = await service.assign(session, notifications, caller, todo, body.assignee_id)
    return ok(TodoRead.model_validate(changed))


@router.delete("/{todo_id}", responses=ONE)
async def delete(todo: VisibleTodo, session: SessionDep, caller: CallerDep) -> Envelope[None]:
    """Delete a to-do (owner only)."""
    await service.delete(session, caller, todo)
    return ok(None, message="Deleted")
