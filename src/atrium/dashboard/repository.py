"""Every query of the request rollups (the dashboard's own collections)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from atrium.dashboard.documents import RequestDay


async def request_days(start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The day rollups from ``start`` up to ``end`` (both UTC midnights), as stored: read
    without a model per document, the figure's whole cost for a year being these 365."""
    query = {"at": {"$gte": start, "$lt": end}}
    return await RequestDay.get_pymongo_collection().find(query, {"expires_at": 0}).to_list()
