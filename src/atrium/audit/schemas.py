"""Wire models of the audit log: the filters of a query and the entries it answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query
from pydantic import AwareDatetime

from atrium.audit.documents import ActorKind, AuditEntry
from atrium.core.schemas import Schema


class ExportFormat(StrEnum):
    NDJSON = "ndjson"
    CSV = "csv"


class AuditFilters(Schema):
    """Which entries: every filter given must match (all absent: every entry)."""

    actor_id: UUID | None = None
    actor_kind: ActorKind | None = None
    code: str | None = None
    target_id: str | None = None
    status_min: int | None = None
    status_max: int | None = None
    since: datetime | None = None  # ``from`` on the wire, inclusive
    until: datetime | None = None  # ``to`` on the wire, exclusive


def audit_filters(
    actor_id: Annotated[UUID | None, Query(alias="actorId")] = None,
    actor_kind: Annotated[ActorKind | None, Query(alias="actorKind")] = None,
    code: Annotated[str | None, Query(max_length=300)] = None,
    target_id: Annotated[str | None, Query(alias="targetId", max_length=200)] = None,
    status_min: Annotated[int | None, Query(alias="statusMin", ge=100, le=599)] = None,
    status_max: Annotated[int | None, Query(alias="statusMax", ge=100, le=599)] = None,
    since: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    until: Annotated[AwareDatetime | None, Query(alias="to")] = None,
) -> AuditFilters:
    """The filters of the query string (``from`` inclusive, ``to`` exclusive, both with an
    offset)."""
    return AuditFilters(
        actor_id=actor_id,
        actor_kind=actor_kind,
        code=code,
        target_id=target_id,
        status_min=status_min,
        status_max=status_max,
        since=since,
        until=until,
    )


class ChangeRead(Schema):
    entity: str
    id: str
    operation: str
    field: str
    old: Any = None
    new: Any = None


class AuditEntryRead(Schema):
    id: str
    at: datetime
    actor_kind: ActorKind
    actor_id: UUID | None
    key_id: UUID | None
    method: str
    path: str
    code: str | None
    target_ids: list[str]
    status: int
    duration_ms: float
    client_ip: str | None
    user_agent: str | None
    request_id: str | None
    changes: list[ChangeRead]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryRead:
        fields = entry.model_dump(exclude={"id", "revision_id", "expires_at", "changes"})
        changes = [ChangeRead.model_validate(change.model_dump()) for change in entry.changes]
        return cls(id=str(entry.id), changes=changes, **fields)
