"""Worker side of the scheduler: run-ledger signals, and a built-in task for smoke checks."""

from __future__ import annotations

from atrium.core.worker.typed import task
from atrium.scheduler import runs

runs.connect()


@task(name="scheduler.ping", schedulable=True)
def ping(message: str = "pong") -> str:
    """Answer ``message``: schedule it to check that beat and the workers are alive."""
    return message
