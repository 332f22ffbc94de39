"""The Celery app, built by ``create_celery`` from settings: Redis by default, RabbitMQ by URL,
JSON only. Nothing is built at import: the API's lifespan, ``atrium worker`` and ``atrium beat``
each build theirs (``celery -A atrium.core.worker.celery`` builds one for Celery's own CLI).

Task modules are every configured domain's declared ``tasks`` module. Tasks are declared with the
typed decorator (``atrium.core.worker.typed``) as shared tasks, so they belong to whichever app the
process built. Each worker process opens the stores once (``worker_process_init`` for prefork; on
first use for the solo and threads pools).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from celery import Celery, signals

from atrium.config import CelerySettings, Settings, get_settings
from atrium.core.domain import Domains, load_domains
from atrium.core.logging import configure_logging
from atrium.core.state import StateKey
from atrium.core.worker import loop, redelivery, resources

log = structlog.get_logger(__name__)

# The app this process built (the API's lifespan sets it; workers and beat build their own).
CELERY: StateKey[Celery] = StateKey("core.celery")


def celery_config(settings: Settings, domains: Domains | None = None) -> dict[str, Any]:
    """Celery's configuration from Atrium's settings (task modules from the domains' entries)."""
    c = settings.celery
    domains = domains if domains is not None else load_domains(settings)
    return {
        "broker_url": settings.celery_broker_url,
        "result_backend": settings.celery_result_backend,
        "task_serializer": "json",
        "result_serializer": "json",
        "event_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "enable_utc": True,
        "timezone": "UTC",
        "task_default_queue": c.default_queue,
        "task_acks_late": c.task_acks_late,
        "task_track_started": c.task_track_started,
        "task_default_priority": c.task_default_priority,
        "task_publish_retry": c.task_publish_retry,
        "task_time_limit": c.task_time_limit,
        "task_soft_time_limit": c.task_soft_time_limit,
        "worker_prefetch_multiplier": c.worker_prefetch_multiplier,
        "worker_hijack_root_logger": False,
        "broker_connection_retry_on_startup": True,
        "result_expires": timedelta(days=1),
        "beat_max_loop_interval": c.beat_max_loop_interval,
        "imports": domains.modules("tasks"),
        **_transport_options(c),
        **domains.celery_config(),
    }


def _transport_options(c: CelerySettings) -> dict[str, Any]:
    if c.broker_visibility_timeout is None:
        return {}
    return {"broker_transport_options": {"visibility_timeout": c.broker_visibility_timeout}}


def create_celery(settings: Settings, domains: Domains | None = None) -> Celery:
    """A configured app, made this process's current and default one (shared tasks, sends from
    any thread). Building it connects to nothing."""
    app = Celery("atrium", set_as_current=True)
    app.conf.update(celery_config(settings, domains))
    redelivery.install(app)
    app.set_default()
    return app


def registered_task_names(app: Celery) -> list[str]:
    """The names of every task the workers can run (Celery's own built-ins excluded)."""
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith("celery."))


@signals.setup_logging.connect
def _setup_logging(**_: Any) -> None:
    settings = get_settings()
    configure_logging(settings.logging, settings.environment)


def loop_driver(pool: Any) -> loop.Driver:
    """How a worker with this pool drives its processes' loops: in the task's own thread when
    every task runs on the process's main thread (prefork, solo), else in a loop thread."""
    from celery.concurrency import get_implementation, prefork, solo

    implementation = get_implementation(pool) if pool else None
    same_thread = (prefork.TaskPool, solo.TaskPool)
    if isinstance(implementation, type) and issubclass(implementation, same_thread):
        return "caller"
    return "thread"


@signals.worker_init.connect
def _choose_loop_driver(sender: Any = None, **_: Any) -> None:
    loop.use_driver(loop_driver(getattr(sender, "pool_cls", None)))


@signals.worker_process_init.connect
def _open_process_state(**_: Any) -> None:
    try:
        loop.run_async(resources.worker_state())
    except Exception:  # the first task that needs them retries
        log.exception("worker_state_open_failed")


@signals.worker_process_shutdown.connect
def _close_process_state(**_: Any) -> None:
    _close()


@signals.worker_shutdown.connect
def _close_main_state(**_: Any) -> None:
    _close()  # the solo and threads pools opened their stores in the main process


def _close() -> None:
    if not loop.has_process_loop():
        return
    try:
        loop.drain_background()  # ledger writes still in flight
        loop.run_async(resources.close_worker_state())
    except Exception:
        log.exception("worker_state_close_failed")
    loop.stop_process_loop()
