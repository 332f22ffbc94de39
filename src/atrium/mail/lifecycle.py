"""Mail at build time: the caught-mail routes exist in local and testing only."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from atrium.config import Settings
from atrium.core.access import guard
from atrium.mail.router import caught_router


def install(app: FastAPI, settings: Settings) -> None:
    if settings.environment.is_debug:
        app.include_router(caught_router, prefix=settings.api_prefix, dependencies=[Depends(guard)])
