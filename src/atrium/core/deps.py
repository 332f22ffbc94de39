"""Typed dependencies for the shared resources; tests override these, never globals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.config import Settings
from atrium.core.redis import RedisClient
from atrium.core.state import AppState
from atrium.core.storage import Storage


async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.atrium
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_settings(state: StateDep) -> Settings:
    return state.settings


async def get_redis(state: StateDep) -> RedisClient:
    return state.redis


async def get_storage(state: StateDep) -> Storage:
    return state.storage


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    """A session per request: commits when the route returns, rolls back when it raises.

    After the commit, before the response: the commit hooks of its unit of work (a failing one
    fails the request, ``atrium.core.uow``), then the work queued with ``after_commit``.
    """
    async with state.db.session() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
RedisDep = Annotated[RedisClient, Depends(get_redis)]
StorageDep = Annotated[Storage, Depends(get_storage)]
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
