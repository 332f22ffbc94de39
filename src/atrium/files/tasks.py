"""Celery tasks of files: the periodic cleanup of abandoned uploads and orphaned objects."""

from __future__ import annotations

from atrium.core.worker.resources import worker_state
from atrium.core.worker.typed import task
from atrium.files import cleanup


@task(name="files.cleanup", schedulable=True)
async def cleanup_uploads() -> dict[str, int]:
    """Remove abandoned pending uploads and objects without metadata; counts of each."""
    state = await worker_state()
    report = await cleanup.cleanup(state.storage)
    return report.as_dict()
