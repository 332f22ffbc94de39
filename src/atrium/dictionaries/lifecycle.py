"""Dictionaries wherever SQL opens: the commit hook that makes changes reach every node
(``attach``); at startup: the in-process cache, its invalidation listener and the reader."""

from __future__ import annotations

from fastapi import FastAPI

from atrium.config import Settings
from atrium.core.db import Database
from atrium.core.redis import RedisClient
from atrium.core.state import AppState
from atrium.dictionaries.cache import DictionaryCache, DictionaryReader, channel
from atrium.dictionaries.propagation import TABLES, DictionaryChangeHook
from atrium.dictionaries.runtime import DICTIONARIES, DictionariesRuntime
from atrium.dictionaries.settings import DictionarySettings


def attach(db: Database, redis: RedisClient, settings: Settings) -> None:
    """Every commit that changes dictionaries makes every node forget them first."""
    db.on_commit(DictionaryChangeHook(redis, settings), TABLES)


async def startup(state: AppState, _app: FastAPI) -> None:
    settings = state.settings.group(DictionarySettings)
    cache = DictionaryCache(settings.cache_seconds)
    reader = DictionaryReader(cache, state.redis, state.db, state.settings)
    runtime = DictionariesRuntime(settings, cache, reader)
    runtime.listener = await cache.subscribe(state.redis, channel(state.settings))
    state.set(DICTIONARIES, runtime)


async def shutdown(state: AppState) -> None:
    runtime = state.find(DICTIONARIES)
    if runtime is not None and runtime.listener is not None:
        await runtime.listener.stop()
