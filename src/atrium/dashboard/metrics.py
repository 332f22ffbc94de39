"""Prometheus metrics of the request rollups (served with the rest at ``/metrics``)."""

from __future__ import annotations

from prometheus_client import Counter

ROLLUP_FLUSHES = Counter(
    "atrium_dashboard_rollup_flushes_total", "Request rollups added to MongoDB.", ["outcome"]
)
REQUESTS_DROPPED = Counter(
    "atrium_dashboard_requests_dropped_total",
    "Requests left out of the rollups because MongoDB could not be reached for too long.",
)
