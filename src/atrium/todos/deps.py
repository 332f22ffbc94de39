"""Dependencies of the todos routes: who asks, and for which row.

A user sees only their own rows: another user's is a 404, as if it did not exist. To let some
users see everyone's, set ``sees_all`` from a capability (docs/extending.md shows how).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from atrium.auth.deps import CurrentPrincipal
from atrium.core.deps import SessionDep
from atrium.todos import service
from atrium.todos.models import Todo
from atrium.todos.schemas import TodoID


async def current_viewer(principal: CurrentPrincipal) -> service.Viewer:
    return service.Viewer(principal.user_id)


ViewerDep = Annotated[service.Viewer, Depends(current_viewer)]


async def visible_todo(todo_id: TodoID, session: SessionDep, viewer: ViewerDep) -> Todo:
    return await service.get_visible(session, viewer, todo_id)


VisibleTodo = Annotated[Todo, Depends(visible_todo)]
