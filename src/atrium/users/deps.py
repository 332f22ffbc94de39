"""Annotated dependencies of the users domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from atrium.users.hooks import UserHooks, user_hooks


async def get_user_hooks(request: Request) -> UserHooks:
    return user_hooks(request.app)


UserHooksDep = Annotated[UserHooks, Depends(get_user_hooks)]
