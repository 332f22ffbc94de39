"""Request rollups in MongoDB: per minute (the history) and per UTC day (what the dashboard reads).

Each flush adds a process's counts with ``$inc`` upserts keyed by the minute (or the day) alone,
so every node adds to the same document and concurrent flushes add up. Latencies are counted in
fixed buckets (``LATENCY_BUCKETS_MS``), so the p95 of any range comes from summed buckets. Each
document carries its own ``expires_at`` under a TTL index.
"""

from __future__ import annotations

from datetime import datetime

from beanie import Document
from pymongo import ASCENDING, IndexModel

# Upper bounds of the latency buckets, milliseconds; a last bucket holds everything slower.
LATENCY_BUCKETS_MS = (1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)


class RequestRollup(Document):
    """One minute's (or day's) requests under the API prefix, from every node."""

    id: str  # type: ignore[assignment]  # the minute ("2026-01-05T10:03") or the day
    at: datetime  # the minute's (or day's) start, UTC
    requests: int = 0
    client_errors: int = 0  # 4xx
    server_errors: int = 0  # 5xx
    # Requests per latency bucket: "0" .. "13", indexes into LATENCY_BUCKETS_MS (13: slower).
    latency: dict[str, int] = {}
    expires_at: datetime


def _indexes() -> list[IndexModel]:
    return [
        IndexModel([("at", ASCENDING)]),
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
    ]


class RequestMinute(RequestRollup):
    class Settings:
        name = "dashboard_request_minutes"
        indexes = _indexes()


class RequestDay(RequestRollup):
    class Settings:
        name = "dashboard_request_days"
        indexes = _indexes()


DOCUMENTS: list[type[Document]] = [RequestMinute, RequestDay]
