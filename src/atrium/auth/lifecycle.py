"""Auth at build time (Swagger login, OpenAPI security) and at startup (keys, sessions, policy)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import Depends, FastAPI

from atrium.auth.deps import SessionAccessPolicy
from atrium.auth.ratelimit import LoginLimiter
from atrium.auth.router import swagger_router
from atrium.auth.runtime import AUTH, AuthRuntime
from atrium.auth.sessions import SessionStore
from atrium.auth.settings import AuthSettings
from atrium.auth.tokens import TokenService
from atrium.auth.validity import SessionCache, invalidation_listener
from atrium.config import Settings
from atrium.core.access import ACCESS_POLICY, guard
from atrium.core.routing import Access, RouteCatalogue
from atrium.core.security.passwords import PASSWORD_HASHER, PasswordHasher
from atrium.core.security.rsa import load_key_ring
from atrium.core.state import AppState
from atrium.users.service import PasswordPolicy
from atrium.users.settings import PasswordSettings

BEARER = "BearerAuth"
OAUTH2 = "OAuth2Password"


def install(app: FastAPI, settings: Settings) -> None:
    """Mount the Swagger login in debug environments; declare the security schemes."""
    debug = settings.environment.is_debug
    if debug:
        app.include_router(
            swagger_router, prefix=settings.api_prefix, dependencies=[Depends(guard)]
        )
    _add_security_schemes(app, settings, debug)


def _security_schemes(settings: Settings, debug: bool) -> dict[str, Any]:
    bearer = {BEARER: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
    if not debug:
        return bearer
    token_url = f"{settings.api_prefix}/auth/login/swagger"
    # First, so Swagger UI's Authorize dialog opens on the username/password form.
    password_form = {
        "type": "oauth2",
        "description": "Log in with a username and its plain password (local and testing only).",
        "flows": {"password": {"tokenUrl": token_url, "scopes": {}}},
    }
    return {OAUTH2: password_form, **bearer}


def _add_security_schemes(app: FastAPI, settings: Settings, debug: bool) -> None:
    build = app.openapi
    schemes = _security_schemes(settings, debug)

    def openapi() -> dict[str, Any]:
        schema = build()
        schema.setdefault("components", {}).setdefault("securitySchemes", {}).update(schemes)
        catalogue: RouteCatalogue = app.state.catalogue
        requirement: list[dict[str, list[str]]] = [{name: []} for name in schemes]
        for info in catalogue:
            operation = schema.get("paths", {}).get(info.path, {}).get(info.method.lower())
            if operation is not None and info.access is not Access.PUBLIC:
                operation["security"] = requirement
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


async def startup(state: AppState, _app: FastAPI) -> None:
    settings = state.settings
    keys = await asyncio.to_thread(
        load_key_ring, settings.group(AuthSettings), settings.environment
    )
    hasher = state.find(PASSWORD_HASHER) or await PasswordHasher.create(
        settings.group(PasswordSettings)
    )
    cache = SessionCache(settings.group(AuthSettings).session_cache_seconds)
    auth = AuthRuntime(
        settings=settings,
        keys=keys,
        tokens=TokenService(settings.group(AuthSettings)),
        sessions=SessionStore(state.redis, settings),
        cache=cache,
        limiter=LoginLimiter(state.redis, settings),
        hasher=hasher,
        policy=PasswordPolicy.from_settings(settings.group(PasswordSettings)),
    )
    if cache.lease > 0:
        auth.listener = invalidation_listener(state.redis, settings, cache)
        await auth.listener.start()
    state.set(AUTH, auth)
    state.set(ACCESS_POLICY, SessionAccessPolicy())


async def shutdown(state: AppState) -> None:
    auth = state.find(AUTH)
    if auth is not None and auth.listener is not None:
        await auth.listener.stop()
