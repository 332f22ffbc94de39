"""A Celery app for tests that send or inspect tasks without an app's lifespan."""

from __future__ import annotations

from functools import cache

from celery import Celery

from atrium.config import get_settings
from atrium.core.worker.app import create_celery


@cache
def _built() -> Celery:
    return create_celery(get_settings())


def celery_app() -> Celery:
    """One app from the process's settings, made current again (typed tasks are shared tasks:
    they send through the current app, which an app's lifespan may have replaced)."""
    app = _built()
    app.set_current()
    app.set_default()
    return app
