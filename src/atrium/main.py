"""The application factory: FastAPI, its domains, and the lifespan that opens every store.

Domains come from ``settings.domains``, each through its entry (``<package>/domain.py``, see
``atrium.core.domain``): routers are mounted (under the API prefix, behind the access guard),
capabilities declared, documents initialised, and the lifecycle hooks called: ``install(app,
settings)`` at build time (no I/O), ``async startup(state, app)`` / ``async shutdown(state)``
around serving, and ``attach(db, redis, settings)`` wherever SQL is opened (the lifespan, a worker
process, a command: ``attach_commit_hooks``) to hang the domain's commit hooks on the database.

So a team adds a module without touching the core: list its package in ``ATRIUM_DOMAINS``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from atrium.config import Settings, get_settings
from atrium.core import limits
from atrium.core.access import guard
from atrium.core.bodylimit import BodyLimitMiddleware, BodyRules, declared_larger
from atrium.core.codes import declare
from atrium.core.console import install_console
from atrium.core.docs import DESCRIPTION, install_docs
from atrium.core.domain import Domain, Domains, attach_commit_hooks, load_domains
from atrium.core.errors import install_error_handlers
from atrium.core.logging import configure_logging
from atrium.core.middleware import RequestContextMiddleware
from atrium.core.responses import COMMON_ERROR_RESPONSES
from atrium.core.routing import PrefixRouter, RouteCatalogue, annotate_openapi
from atrium.core.state import AppState, open_state
from atrium.core.worker.app import CELERY, create_celery

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; nothing here touches the network."""
    settings = settings or get_settings()
    configure_logging(settings.logging, settings.environment)
    domains = load_domains(settings)
    debug = settings.environment.is_debug
    app = FastAPI(
        title=settings.project_name,
        version="0.1.0",
        lifespan=_lifespan(settings, domains),
        description=DESCRIPTION if debug else "",
        docs_url=None,  # served from packaged assets by install_docs, never from a CDN
        redoc_url=None,
        openapi_url="/openapi.json" if debug else None,
        responses=COMMON_ERROR_RESPONSES,
    )
    install_error_handlers(app)
    if app.openapi_url:
        install_docs(app, app.openapi_url)
    _include_routers(app, settings, domains)
    install_console(app, settings.console.dist_dir)
    declare(app, *domains.capabilities())
    for domain in domains:
        if install := domain.hook("install"):
            install(app, settings)
    _add_middleware(app, settings)
    app.state.catalogue = RouteCatalogue(app)
    _annotate_openapi(app, settings)
    return app


def _include_routers(app: FastAPI, settings: Settings, domains: Domains) -> None:
    routers = [domain.routers() for domain in domains]
    for _, root_router in routers:
        if root_router is not None:
            app.include_router(root_router)
    for router, _ in routers:
        if router is not None:
            app.include_router(
                PrefixRouter(router, settings.api_prefix),
                prefix=settings.api_prefix,
                dependencies=[Depends(guard)],
            )


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    rules = BodyRules(**settings.http.model_dump(), larger=declared_larger(app))
    app.add_middleware(BodyLimitMiddleware, rules=rules)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors.allow_origins,
        allow_credentials=settings.cors.allow_credentials,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["X-Request-ID", "Retry-After"],
    )
    # Added last, so outermost: every response (even a CORS refusal) carries the request id.
    app.add_middleware(RequestContextMiddleware, access_log=settings.logging.access_log)
    if settings.proxy.trusted_addresses:
        # Outside everything: the client address is the forwarded one only from a trusted peer.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.proxy.trusted_addresses)


def _annotate_openapi(app: FastAPI, settings: Settings) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = limits.publish(build, settings)
            app.openapi_schema = annotate_openapi(schema, app.state.catalogue)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _lifespan(settings: Settings, domains: Domains) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = await open_state(settings, domains.document_models())
        state.set(CELERY, create_celery(settings, domains))  # no connection until a send
        app.state.atrium = state
        started: list[Domain] = []
        try:
            attach_commit_hooks(settings, state.db, state.redis, domains)
            for domain in domains:
                if startup := domain.hook("startup"):
                    await startup(state, app)
                started.append(domain)
            log.info("startup_complete", environment=settings.environment.value)
            yield
        finally:
            await _shutdown(state, started)

    return lifespan


async def _shutdown(state: AppState, started: list[Domain]) -> None:
    for domain in reversed(started):
        if shutdown := domain.hook("shutdown"):
            try:
                await shutdown(state)
            except Exception:
                log.exception("shutdown_failed", domain=domain.name)
    await state.close()
