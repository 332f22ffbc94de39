"""Every query of the audit log (reads only: nothing here changes an entry)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from atrium.audit.documents import AuditEntry
from atrium.audit.schemas import AuditFilters
from atrium.core.cursors import DATETIME, OBJECT_ID, MongoKeyset, mongo_key

# Newest first by time, then id (the entries of one instant in a stable order).
NEWEST_FIRST = MongoKeyset(
    mongo_key("at", "at", DATETIME), mongo_key("id", "_id", OBJECT_ID, attribute="id")
)


def query(filters: AuditFilters) -> dict[str, Any]:
    """The MongoDB filter of ``filters``."""
    found: dict[str, Any] = {}
    for name, value in (
        ("actor_id", filters.actor_id),
        ("actor_kind", filters.actor_kind),
        ("code", filters.code),
        ("target_ids", filters.target_id),
    ):
        if value is not None:
            found[name] = value
    if status := _range(filters.status_min, filters.status_max, "$lte"):
        found["status"] = status
    if at := _range(filters.since, filters.until, "$lt"):
        found["at"] = at
    return found


def _range(low: Any, high: Any, below: str) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    if low is not None:
        bounds["$gte"] = low
    if high is not None:
        bounds[below] = high
    return bounds


async def page(
    filters: AuditFilters, cursor: str | None, limit: int
) -> tuple[list[AuditEntry], str | None]:
    """One page of matching entries, newest first, and the next page's cursor."""
    return await NEWEST_FIRST.page(AuditEntry, query(filters), cursor, limit)


async def stream(filters: AuditFilters, most: int) -> AsyncIterator[AuditEntry]:
    """Matching entries, newest first, at most ``most`` of them, read as they are sent."""
    found = AuditEntry.find(query(filters)).sort(NEWEST_FIRST.sort).limit(most)
    async for entry in found:
        yield entry
