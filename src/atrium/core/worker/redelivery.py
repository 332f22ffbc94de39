"""A killed worker's unacknowledged messages delivered again on time (Redis broker).

With ``acks_late`` a message stays "unacknowledged" in Redis while its task runs; if the worker
dies (SIGKILL, a lost machine) kombu's Redis transport puts it back in its queue once the
visibility timeout has passed. But kombu looks for such messages only when a worker starts and
then on every tenth of its 10-second checks: up to 100 s late, whatever the timeout. When
``ATRIUM_CELERY__BROKER_VISIBILITY_TIMEOUT`` is set, every worker also looks every quarter of
that timeout (between 1 and 10 s), so a killed worker's task runs again within the visibility
timeout plus one such check. (The check is cheap: one sorted-set range under kombu's mutex.)
"""

from __future__ import annotations

from typing import Any

import structlog
from celery import Celery, bootsteps

log = structlog.get_logger(__name__)

RESTORE_BATCH = 100


def restore_every(visibility_timeout: float) -> float:
    """How often a worker looks for messages past their visibility timeout."""
    return min(10.0, max(1.0, visibility_timeout / 4))


class RestoreUnacked(bootsteps.StartStopStep):
    """A consumer step: the periodic look for messages a dead worker left unacknowledged."""

    requires = ("celery.worker.consumer.connection:Connection",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.connection: Any = None
        self.entry: Any = None

    def start(self, parent: Any) -> None:
        app: Celery = parent.app
        timeout = (app.conf.broker_transport_options or {}).get("visibility_timeout")
        if timeout is None:
            return
        self.connection = app.connection_for_write()
        if self.connection.transport.driver_type != "redis":
            return
        self.entry = parent.timer.call_repeatedly(restore_every(float(timeout)), self.restore)

    def restore(self) -> None:
        try:
            qos = self.connection.default_channel.qos
            qos.restore_visible(num=RESTORE_BATCH, interval=1)  # interval 1: every call looks
        except Exception as exc:  # the broker is down: the next check tries again
            log.warning("unacked_restore_failed", error=repr(exc))

    def stop(self, parent: Any) -> None:
        if self.entry is not None:
            self.entry.cancel()
            self.entry = None
        if self.connection is not None:
            self.connection.release()
            self.connection = None

    shutdown = stop


def install(app: Celery) -> None:
    """Add the step to the app's workers (a no-op for a worker on another broker)."""
    app.steps["consumer"].add(RestoreUnacked)
