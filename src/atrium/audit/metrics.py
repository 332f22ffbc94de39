"""Prometheus metrics of the audit log (served with the rest at ``/metrics``)."""

from __future__ import annotations

from prometheus_client import Counter

AUDIT_WRITTEN = Counter("atrium_audit_entries_written_total", "Audit entries stored in MongoDB.")
AUDIT_DROPPED = Counter(
    "atrium_audit_entries_dropped_total",
    "Audit entries dropped because the buffer was full while MongoDB could not be reached.",
)
