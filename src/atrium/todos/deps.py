"""Dependencies of the to-dos routes: who asks (a data-scope ``Caller``), and the to-do they ask
for, fetched within their scope (another's is a 404, as if it did not exist).

``todos:admin`` is the domain's capability: its holders (and so every superuser) reach every
to-do. It is read from the caller's current grants, never from the token, so losing it takes
effect on the next request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from atrium.auth.deps import CurrentPrincipal
from atrium.core.codes import CodeKind, DeclaredCode
from atrium.core.datascope import Caller
from atrium.core.deps import SessionDep
from atrium.rbac.deps import data_caller
from atrium.todos import service
from atrium.todos.models import Todo
from atrium.todos.schemas import TodoID

TODOS_ADMIN = DeclaredCode(
    code="todos:admin",
    kind=CodeKind.CAPABILITY,
    summary="See, change, reassign and delete every user's to-dos",
    tags=("todos",),
)


async def current_caller(request: Request, principal: CurrentPrincipal) -> Caller:
    return await data_caller(request, principal, TODOS_ADMIN.code)


CallerDep = Annotated[Caller, Depends(current_caller)]


async def visible_todo(todo_id: TodoID, session: SessionDep, caller: CallerDep) -> Todo:
    return await service.get_visible(session, caller, todo_id)


VisibleTodo = Annotated[Todo, Depends(visible_todo)]
