"""``GET /auth/me``: the caller's own user, with what each domain above adds to it.

The users domain owns the answer. ``me_router`` builds the route from the parts it is handed:
its response model (``MeRead``) is the user's fields followed by each part's, and its value is
composed the same way. A part (``MePart``) is the schema of the fields a domain adds and an async
provider of their values (RBAC's, in ``atrium.rbac.me``: roles, callable codes, buttons, menus).
Who is calling is handed in too (auth's ``current_user``), so the users domain imports none of
the domains that contribute.
"""

# No ``from __future__ import annotations``: the route is defined inside ``me_router`` and its
# parameters name that function's arguments, which FastAPI must see as values, not strings.

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import create_model
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.deps import SessionDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.core.routing import Access, access
from atrium.core.schemas import Schema
from atrium.users.models import User
from atrium.users.schemas import UserRead

ME_DOC = "The user's own fields plus what a frontend renders from."


@dataclass(frozen=True, slots=True)
class MePart:
    """The fields one domain adds to ``/auth/me`` (``schema``) and how it fills them."""

    schema: type[Schema]
    provide: Callable[[Request, AsyncSession, User], Awaitable[Schema]]


def me_model(parts: Sequence[MePart]) -> type[UserRead]:
    """``MeRead``: the user's fields, then each part's, in the parts' order."""
    added: dict[str, Any] = {}
    for part in parts:
        for name, info in part.schema.model_fields.items():
            if name in added or name in UserRead.model_fields:
                raise ValueError(f"/auth/me: the field {name!r} is added twice")
            added[name] = (info.annotation, info)
    return create_model("MeRead", __base__=UserRead, __doc__=ME_DOC, **added)


async def compose(
    model: type[UserRead],
    parts: Sequence[MePart],
    request: Request,
    session: AsyncSession,
    user: User,
) -> UserRead:
    """The caller's ``MeRead``: their fields, then what each part provides."""
    fields: dict[str, object] = {name: getattr(user, name) for name in UserRead.model_fields}
    for part in parts:
        value = await part.provide(request, session, user)
        fields.update({name: getattr(value, name) for name in type(value).model_fields})
    return model.model_validate(fields)


def me_router(current_user: Callable[..., Awaitable[User]], parts: Sequence[MePart]) -> APIRouter:
    """An ``/auth`` router with ``GET /me`` answering ``MeRead`` of these parts."""
    model = me_model(parts)
    envelope: Any = Envelope  # parametrised with a class made here, which no annotation can name
    router = APIRouter(prefix="/auth", tags=["auth"])

    @router.get(
        "/me",
        response_model=envelope[model],
        openapi_extra=access(Access.AUTHENTICATED),
        responses=error_responses(401, 403),
    )
    async def me(
        request: Request, user: Annotated[User, Depends(current_user)], session: SessionDep
    ) -> Envelope[UserRead]:
        """The logged-in user with roles, callable permission codes, button codes and menu tree."""
        return ok(await compose(model, parts, request, session, user))

    return router
