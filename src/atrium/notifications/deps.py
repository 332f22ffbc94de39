"""Annotated dependencies: the reader of notifications (the current user with their roles)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from atrium.auth.deps import CurrentUser
from atrium.core.deps import StateDep
from atrium.notifications.repository import Reader
from atrium.realtime.roles import roles_of


async def current_reader(user: CurrentUser, state: StateDep) -> Reader:
    return Reader(user_id=user.id, roles=await roles_of(state, user.id), since=user.created_at)


ReaderDep = Annotated[Reader, Depends(current_reader)]
