"""Every query of the request rollups (the dashboard's own collections)."""

from __future__ import annotations

from datetime import datetime

from atrium.dashboard.documents import RequestDay


async def request_days(start: datetime, end: datetime) -> list[RequestDay]:
    """The day rollups from ``start`` up to ``end`` (both UTC midnights)."""
    return await RequestDay.find({"at": {"$gte": start, "$lt": end}}).to_list()
