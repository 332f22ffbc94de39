"""File figures for the dashboard: stored files and their bytes by content type, per UTC day of
creation, from counters the service adds to when an upload completes and takes back on delete.

The file metadata stays the record; ``rebuild`` recomputes the counters from it.
"""

from __future__ import annotations

from datetime import datetime

from atrium.core.dailycounts import Change, DailyCounters, DayTotal, totals_by_day
from atrium.files.documents import FileDay, FileObject, FileStatus

FILE_DAYS = DailyCounters(FileDay)


def _change(doc: FileObject, sign: int) -> Change:
    return Change(doc.created_at, doc.content_type, sign, sign * (doc.size or 0))


async def stored(doc: FileObject) -> None:
    await FILE_DAYS.add_quietly([_change(doc, 1)])


async def removed(doc: FileObject) -> None:
    await FILE_DAYS.add_quietly([_change(doc, -1)])


async def files(start: datetime, end: datetime) -> list[DayTotal]:
    """Complete files per day of creation and content type (``amount``: their bytes)."""
    return await FILE_DAYS.read(start, end)


async def rebuild() -> int:
    """Recompute the counters from the file metadata; the number of counters stored."""
    totals = await totals_by_day(
        FileObject,
        "created_at",
        "$content_type",
        amount="$size",
        match={"status": FileStatus.COMPLETE.value},
    )
    return await FILE_DAYS.replace(totals)
