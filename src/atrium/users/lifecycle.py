"""Users at startup: the password hasher every identity operation uses."""

from __future__ import annotations

from fastapi import FastAPI

from atrium.core.security.passwords import PASSWORD_HASHER, PasswordHasher
from atrium.core.state import AppState
from atrium.users.settings import PasswordSettings


async def startup(state: AppState, _app: FastAPI) -> None:
    state.set(PASSWORD_HASHER, await PasswordHasher.create(state.settings.group(PasswordSettings)))


async def shutdown(state: AppState) -> None:
    if (hasher := state.find(PASSWORD_HASHER)) is not None:
        hasher.close()
