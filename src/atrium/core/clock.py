"""Timezone-aware UTC time."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Treat a naive datetime as UTC and convert an aware one to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def human_time(value: datetime) -> str:
    """The one format for people, in logs and CLI output: ISO 8601 in UTC, to the millisecond.

    ``2026-12-02T05:50:49.123Z``: sorts as text, reads the same on every machine, and is what the
    API sends (which carries microseconds) cut to milliseconds.
    """
    return as_utc(value).isoformat(timespec="milliseconds").replace("+00:00", "Z")
