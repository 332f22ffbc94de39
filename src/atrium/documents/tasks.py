"""Celery tasks of documents: the trash emptied after its retention period (``domain.py``'s
beat entry ``documents.purge_trash``)."""

from __future__ import annotations

from datetime import timedelta

from atrium.core.clock import utcnow
from atrium.core.state import AppState
from atrium.core.worker.resources import worker_state
from atrium.core.worker.typed import task
from atrium.documents import repository
from atrium.documents.settings import DocumentSettings

BATCH = 500


async def purge_trash(state: AppState) -> int:
    """Remove (with their revisions) documents in the trash longer than the retention; how many."""
    settings = state.settings.group(DocumentSettings)
    horizon = utcnow() - timedelta(days=settings.trash_retention_days)
    purged = 0
    while found := await repository.trashed_before(horizon, BATCH):
        await repository.purge(found)
        purged += len(found)
    return purged


@task(name="documents.purge_trash", schedulable=True)
async def purge_expired() -> int:
    """Empty the trash of what it held past the retention (``purge_trash``) on a worker."""
    return await purge_trash(await worker_state())
