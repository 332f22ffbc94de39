"""What happened to second factors, for the audit trail: enabled, disabled, recovery codes
regenerated, reset by an admin.

One document per event (``second_factor_events``), with who acted: an audit log can take them
as they are. Login attempts themselves are in auth's login log.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from beanie import Document
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from atrium.core.clock import utcnow


class FactorAction(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"
    CODES_REGENERATED = "codes_regenerated"
    RESET = "reset"


class SecondFactorEvent(Document):
    user_id: UUID
    action: FactorAction
    # Who acted: the user themselves, or the administrator of a reset.
    actor_id: UUID | None = None
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "second_factor_events"
        indexes = [IndexModel([("user_id", ASCENDING), ("_id", DESCENDING)])]


DOCUMENTS = [SecondFactorEvent]
