"""API keys at build time: the ``X-API-Key`` security scheme in OpenAPI, offered on every route a
key may call (``install``); wherever SQL opens: the commit hook that makes revocations reach every
node (``attach``); at startup: the verified-keys cache and its invalidation listener, the batched
"last used" writer, and the verifier handed to auth's guard (``AuthRuntime.key_verifier``)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from atrium.apikeys.cache import VerifiedKeys, channel
from atrium.apikeys.propagation import TABLE, KeyRevocationHook
from atrium.apikeys.runtime import APIKEYS, ApiKeysRuntime
from atrium.apikeys.scope import RouteRules
from atrium.apikeys.settings import ApiKeySettings
from atrium.apikeys.usage import UsageRecorder
from atrium.apikeys.verifier import ApiKeyVerifier
from atrium.auth.runtime import AUTH
from atrium.config import Settings
from atrium.core.db import Database
from atrium.core.invalidation import AckedListener
from atrium.core.redis import RedisClient
from atrium.core.routing import Access, RouteCatalogue
from atrium.core.state import AppState

API_KEY = "ApiKeyAuth"
SCHEME = {
    "type": "apiKey",
    "in": "header",
    "name": "X-API-Key",
    "description": "A personal API key (`atr_...`); `Authorization: Bearer <key>` works too. "
    "Never on routes that manage identity (`x-identity`).",
}


def install(app: FastAPI, _settings: Settings) -> None:
    """Offer the key scheme beside the bearer token on every route a key may call."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        schema.setdefault("components", {}).setdefault("securitySchemes", {})[API_KEY] = SCHEME
        catalogue: RouteCatalogue = app.state.catalogue
        for info in catalogue:
            if info.access is Access.PUBLIC or info.identity:
                continue
            operation = schema.get("paths", {}).get(info.path, {}).get(info.method.lower())
            if operation is not None:
                operation["security"] = [*operation.get("security", []), {API_KEY: []}]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def attach(db: Database, redis: RedisClient, settings: Settings) -> None:
    """Every commit that revokes or deletes keys makes every node forget them first."""
    db.on_commit(KeyRevocationHook(redis, settings), {TABLE})


async def startup(state: AppState, app: FastAPI) -> None:
    settings = state.settings.group(ApiKeySettings)
    cache = VerifiedKeys(settings.cache_seconds)
    usage = UsageRecorder(state.db, settings.last_used_flush_seconds)
    catalogue: RouteCatalogue = app.state.catalogue
    rules = RouteRules.of(catalogue.under(state.settings.api_prefix))
    verifier = ApiKeyVerifier(state.db, cache, usage)
    runtime = ApiKeysRuntime(settings, cache, usage, verifier, rules)
    if cache.lease > 0:
        runtime.listener = AckedListener(state.redis, channel(state.settings), cache)
        await runtime.listener.start()
    usage.start()
    state.set(APIKEYS, runtime)
    state.get(AUTH).key_verifier = runtime.verifier


async def shutdown(state: AppState) -> None:
    runtime = state.find(APIKEYS)
    if runtime is None:
        return
    auth = state.find(AUTH)
    if auth is not None:
        auth.key_verifier = None
    if runtime.listener is not None:
        await runtime.listener.stop()
    await runtime.usage.stop()
