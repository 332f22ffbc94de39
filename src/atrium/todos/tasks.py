"""Celery tasks of todos, typed: mypy checks ``count.delay()``."""

from __future__ import annotations

from atrium.core.clock import utcnow
from atrium.core.db import Database
from atrium.core.worker.resources import worker_state
from atrium.core.worker.typed import task
from atrium.todos import service
from atrium.todos.documents import TodoCount


async def record_counts(db: Database) -> int:
    """Store how many rows each owner has (MongoDB); the number of owners counted."""
    async with db.session() as session:
        counts = await service.count_by_owner(session)
    counted_at = utcnow()
    documents = [
        TodoCount(owner_id=owner_id, total=total, counted_at=counted_at)
        for owner_id, total in counts.items()
    ]
    if documents:
        await TodoCount.insert_many(documents)
    return len(documents)


# Schedulable: ops may run it periodically from the database (the scheduler's API or CLI).
@task(name="todos.count", schedulable=True)
async def count() -> int:
    """Count every owner's todos (``record_counts``) on a worker."""
    state = await worker_state()
    return await record_counts(state.db)
