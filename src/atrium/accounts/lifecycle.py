"""Accounts at build time: a user an administrator creates is mailed a link to set their
password (a listener on the user hooks, ``install``); at startup: the rate limiter."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.accounts import service
from atrium.accounts.limits import LIMITER, AccountLimiter
from atrium.config import Settings
from atrium.core.state import AppState
from atrium.users.hooks import UserAction, UserChange, user_hooks


def install(app: FastAPI, settings: Settings) -> None:
    async def welcome(session: AsyncSession, change: UserChange) -> None:
        if change.action is UserAction.CREATE and change.user is not None:
            await service.welcome(settings, session, change.user)

    user_hooks(app).add_listener(welcome)


async def startup(state: AppState, _app: FastAPI) -> None:
    state.set(LIMITER, AccountLimiter(state.redis, state.settings))
