"""The second factor at startup: its runtime, and the gate handed to auth's login
(``AuthRuntime.second_factor``), taken back at shutdown."""

from __future__ import annotations

from fastapi import FastAPI

from atrium.auth.runtime import AUTH
from atrium.core.state import AppState
from atrium.twofactor.login import Gate
from atrium.twofactor.runtime import TWOFACTOR, TwoFactorRuntime


async def startup(state: AppState, _app: FastAPI) -> None:
    runtime = TwoFactorRuntime.build(state.redis, state.settings)
    state.set(TWOFACTOR, runtime)
    state.get(AUTH).second_factor = Gate(runtime)


async def shutdown(state: AppState) -> None:
    auth = state.find(AUTH)
    if auth is not None:
        auth.second_factor = None
