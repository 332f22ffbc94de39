"""The audit domain's process singleton: the writer, in the app state's slot ``AUDIT``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from atrium.audit.documents import AuditRecord
from atrium.audit.settings import AuditSettings
from atrium.audit.writer import AuditWriter
from atrium.core.state import StateKey


@dataclass(slots=True)
class AuditRuntime:
    settings: AuditSettings
    writer: AuditWriter

    def expiry(self, at: datetime) -> datetime:
        return at + timedelta(days=self.settings.retention_days)

    def record(self, entry: AuditRecord) -> None:
        self.writer.record(entry)


AUDIT: StateKey[AuditRuntime] = StateKey("audit.runtime")
