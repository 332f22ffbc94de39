"""Parameters wherever SQL opens: the commit hook that makes changes reach every node
(``attach``); at startup: the snapshot cache, its invalidation listener and the reader, which
also answers ``core.parameters.current`` for every domain; in a worker, the same reader without
a cache (every read is SQL's, so a task never acts on an old value)."""

from __future__ import annotations

from fastapi import FastAPI

from atrium.config import Settings
from atrium.core.db import Database
from atrium.core.parameters import PARAMETERS
from atrium.core.redis import RedisClient
from atrium.core.state import AppState
from atrium.parameters.cache import OverrideReader, ParameterCache, channel
from atrium.parameters.declarations import Declarations
from atrium.parameters.propagation import TABLES, ParameterChangeHook
from atrium.parameters.runtime import PARAMETERS_RUNTIME, ParametersRuntime
from atrium.parameters.settings import ParameterSettings


def attach(db: Database, redis: RedisClient, settings: Settings) -> None:
    """Every commit that changes parameters makes every node forget them first."""
    db.on_commit(ParameterChangeHook(redis, settings), TABLES)


def _install(state: AppState, lease: float) -> ParametersRuntime:
    settings = state.settings.group(ParameterSettings)
    cache = ParameterCache(lease)
    runtime = ParametersRuntime(
        settings, Declarations.of(state.settings), OverrideReader(cache, state.db)
    )
    state.set(PARAMETERS_RUNTIME, runtime)
    state.set(PARAMETERS, runtime)
    return runtime


async def startup(state: AppState, _app: FastAPI) -> None:
    runtime = _install(state, state.settings.group(ParameterSettings).cache_seconds)
    runtime.listener = await runtime.reader.cache.subscribe(state.redis, channel(state.settings))


async def worker_startup(state: AppState) -> None:
    _install(state, 0)


async def shutdown(state: AppState) -> None:
    runtime = state.find(PARAMETERS_RUNTIME)
    if runtime is not None and runtime.listener is not None:
        await runtime.listener.stop()
