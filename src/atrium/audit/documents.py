"""The audit log in MongoDB: one immutable ``AuditEntry`` per recorded call or command.

Each entry carries its own ``expires_at`` (its time plus the retention when it was written) under
a TTL index, as the login log does: changing ``ATRIUM_AUDIT__RETENTION_DAYS`` needs no index
rebuild, and applies to entries written from then on.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from beanie import Document
from pydantic import BaseModel
from pymongo import ASCENDING, DESCENDING, IndexModel


class ActorKind(StrEnum):
    USER = "user"  # a user's session (an access token)
    APIKEY = "apikey"  # an API key acting for its owner
    SYSTEM = "system"  # an admin command, a task
    ANONYMOUS = "anonymous"  # a call that named no valid credential (a login, a refused call)


class FieldDiff(BaseModel):
    """One column of one SQL row a call changed; secrets are stored as the redaction marker."""

    entity: str
    id: str
    operation: str
    field: str
    old: Any = None
    new: Any = None


class AuditRecord(BaseModel):
    """An entry's fields: what a process records (no MongoDB client needed to make one)."""

    at: datetime
    actor_kind: ActorKind
    actor_id: UUID | None = None  # the user (for an API key, its owner)
    key_id: UUID | None = None
    method: str  # the HTTP method, or CLI for a command
    path: str  # the request path, or the command line's name
    code: str | None = None  # the route's permission code, or ``cli:<command>``
    target_ids: list[str] = []
    status: int
    duration_ms: float
    client_ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
    changes: list[FieldDiff] = []
    expires_at: datetime


COLLECTION = "audit_entries"


class AuditEntry(Document, AuditRecord):
    """A stored entry: never changed once written; only the TTL index deletes it."""

    class Settings:
        name = COLLECTION
        indexes = [
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
            IndexModel([("at", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("actor_id", ASCENDING), ("at", DESCENDING)]),
            IndexModel([("code", ASCENDING), ("at", DESCENDING)]),
            IndexModel([("target_ids", ASCENDING), ("at", DESCENDING)]),
            IndexModel([("status", ASCENDING), ("at", DESCENDING)]),
        ]


DOCUMENTS = [AuditEntry]
