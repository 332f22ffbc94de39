"""The audit domain's settings (``ATRIUM_AUDIT__*``)."""

from __future__ import annotations

from pydantic import Field

from atrium.config import SettingsGroup


class AuditSettings(SettingsGroup, section="audit"):
    # How long an entry is kept; MongoDB's TTL monitor deletes it after that (about once a minute).
    retention_days: int = Field(default=365, ge=1, le=36_500)
    # Entries waiting for MongoDB in one process; beyond this, new entries are dropped and counted.
    buffer_size: int = Field(default=10_000, ge=1, le=1_000_000)
    # Entries written per insert, and how often the writer looks for more, seconds.
    batch_size: int = Field(default=500, ge=1, le=10_000)
    flush_interval_seconds: float = Field(default=0.5, gt=0, le=60)
    # The longest wait between two write attempts while MongoDB is down, seconds.
    retry_max_seconds: float = Field(default=30, gt=0, le=600)
    # The most entries one export streams.
    export_max_rows: int = Field(default=100_000, ge=1, le=10_000_000)
