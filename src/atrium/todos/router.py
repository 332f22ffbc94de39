"""The todos API: list, create, read and delete.

Each route needs a permission code derived from its method and path
(``POST:/api/v1/todos``), listed in the catalogue and granted through roles;
superusers pass. A user sees only their own rows (``deps.py``).
"""

from __future__ import annotations

from fastapi import APIRouter

from atrium.auth.deps import CurrentPrincipal
from atrium.core.deps import SessionDep
from atrium.core.pages import Page
from atrium.core.pagination import PageParamsDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.todos import service
from atrium.todos.deps import ViewerDep, VisibleTodo
from atrium.todos.schemas import TodoCreate, TodoRead

router = APIRouter(prefix="/todos", tags=["todos"])


@router.get("", responses=error_responses(401, 403))
async def list(
    session: SessionDep, viewer: ViewerDep, params: PageParamsDep
) -> Envelope[Page[TodoRead]]:
    """List my todos, newest first."""
    found = await service.list_todos(session, viewer, params)
    return ok(Page[TodoRead].model_validate(found, from_attributes=True))


@router.post("", status_code=201, responses=error_responses(401, 403))
async def create(
    body: TodoCreate, session: SessionDep, principal: CurrentPrincipal
) -> Envelope[TodoRead]:
    """Create a todo, owned by the caller."""
    created = await service.create(session, principal.user_id, body)
    return ok(TodoRead.model_validate(created))


@router.get("/{todo_id}", responses=error_responses(401, 403, 404))
async def get(todo: VisibleTodo) -> Envelope[TodoRead]:
    """One of my todos."""
    return ok(TodoRead.model_validate(todo))


@router.delete("/{todo_id}", responses=error_responses(401, 403, 404))
async def delete(todo: VisibleTodo, session: SessionDep) -> Envelope[None]:
    """Delete one of my todos."""
    await service.delete(session, todo)
    return ok(None, message="Deleted")
