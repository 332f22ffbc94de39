"""Annotated dependencies: the reader of notifications (the current user with their roles) and
the runtime the services use."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from atrium.auth.deps import CurrentUser
from atrium.core.deps import StateDep
from atrium.notifications.repository import Reader
from atrium.notifications.runtime import NotificationsRuntime, runtime
from atrium.realtime.roles import roles_of


async def current_reader(user: CurrentUser, state: StateDep) -> Reader:
    return Reader(user_id=user.id, roles=await roles_of(state, user.id), since=user.created_at)


async def get_runtime(state: StateDep) -> NotificationsRuntime:
    return runtime(state)


ReaderDep = Annotated[Reader, Depends(current_reader)]
NotificationsDep = Annotated[NotificationsRuntime, Depends(get_runtime)]
