"""The per-message log: who was mailed what (template and subject), when, and how it went.

Never the body or the context: a verification link or a reset token must not sit in a log. Each
entry expires (a TTL index) ``log_retention_days`` after it was queued.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pymongo import ASCENDING, DESCENDING, IndexModel


class MailStatus(StrEnum):
    QUEUED = "queued"
    RETRYING = "retrying"
    SENT = "sent"
    FAILED = "failed"


class MailLog(Document):
    to: list[str]
    template: str
    subject: str
    status: MailStatus = MailStatus.QUEUED
    attempts: int = 0
    # The last failure, as the SMTP server or the network said it (no credentials in it).
    error: str | None = None
    message_id: str | None = None
    created_at: datetime
    sent_at: datetime | None = None
    expires_at: datetime

    class Settings:
        name = "mail_log"
        indexes = [
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
            IndexModel([("created_at", DESCENDING)]),
        ]


DOCUMENTS: list[type[Document]] = [MailLog]
