"""The login log: every attempt, kept for ``login_log_retention_days`` (TTL index)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from beanie import Document
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from atrium.core.clock import utcnow
from atrium.core.dailycounts import DAILY_INDEXES, DailyCount


class LoginOutcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    # The password was right and a second factor was asked for (no tokens yet).
    CHALLENGED = "challenged"


class LoginLog(Document):
    username: str
    user_id: UUID | None = None
    outcome: LoginOutcome
    # The error code of a failure (AUTH_INVALID_CREDENTIALS, RATE_LIMITED, ...).
    reason: str | None = None
    method: str = "password"
    ip_address: str | None = None
    user_agent: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # Each document carries its own expiry, so changing the retention needs no index rebuild.
    expires_at: datetime

    class Settings:
        name = "login_logs"
        indexes = [
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
            IndexModel([("username", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("user_id", ASCENDING), ("_id", DESCENDING)]),
        ]


class LoginDay(DailyCount):
    """Login attempts per UTC day and outcome (and who succeeded), added as they are logged."""

    class Settings:
        name = "login_days"
        indexes = DAILY_INDEXES


DOCUMENTS = [LoginLog, LoginDay]
