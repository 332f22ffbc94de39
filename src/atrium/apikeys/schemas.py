"""The API keys domain's wire models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Annotated, TypeVar
from uuid import UUID

from fastapi import Path
from pydantic import AwareDatetime, Field

from atrium.apikeys.credential import shown_prefix
from atrium.apikeys.models import NAME_MAX_LENGTH, ApiKey
from atrium.core.clock import utcnow
from atrium.core.pages import Page
from atrium.core.schemas import Schema
from atrium.rbac.patterns import MAX_GRANT_LENGTH

T = TypeVar("T")
ApiKeyID = Annotated[UUID, Path(description="An API key's id")]
MAX_SCOPES = 500  # the schema's bound; ``apikeys.max_scopes_per_key`` is the configured one
Scope = Annotated[str, Field(min_length=1, max_length=MAX_GRANT_LENGTH)]


class ApiKeyStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class ApiKeyCreate(Schema):
    """A new key. Creating one needs the current password, encrypted exactly like a login's
    ``password`` (``base64(RSA-OAEP-SHA256(JSON {password, nonce, ts}))`` with key ``kid``)."""

    name: str = Field(min_length=1, max_length=NAME_MAX_LENGTH)
    scopes: list[Scope] = Field(
        min_length=1,
        max_length=MAX_SCOPES,
        description="Route codes, route patterns and capabilities, within your own permissions",
    )
    expires_at: AwareDatetime | None = Field(
        default=None, description="When the key stops working (none: until revoked)"
    )
    password: str = Field(min_length=1, max_length=4096, description="The current password")
    kid: str = Field(min_length=1, max_length=128)


class ApiKeyRead(Schema):
    id: UUID
    name: str
    prefix: str = Field(description="The key's public start, `atr_` and its lookup part")
    scopes: list[str]
    status: ApiKeyStatus
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    last_used_ip: str | None
    last_used_agent: str | None


class ApiKeyAdminRead(ApiKeyRead):
    user_id: UUID


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The key itself: shown this once, never again")


def status_of(row: ApiKey, now: datetime | None = None) -> ApiKeyStatus:
    if row.revoked_at is not None:
        return ApiKeyStatus.REVOKED
    if row.expires_at is not None and row.expires_at <= (now or utcnow()):
        return ApiKeyStatus.EXPIRED
    return ApiKeyStatus.ACTIVE


def _fields(row: ApiKey) -> dict[str, object]:
    return {
        "id": row.id,
        "name": row.name,
        "prefix": shown_prefix(row.lookup),
        "scopes": list(row.scopes),
        "status": status_of(row),
        "created_at": row.created_at,
        "expires_at": row.expires_at,
        "revoked_at": row.revoked_at,
        "last_used_at": row.last_used_at,
        "last_used_ip": row.last_used_ip,
        "last_used_agent": row.last_used_agent,
    }


def read_of(row: ApiKey) -> ApiKeyRead:
    return ApiKeyRead.model_validate(_fields(row))


def admin_read_of(row: ApiKey) -> ApiKeyAdminRead:
    return ApiKeyAdminRead.model_validate({**_fields(row), "user_id": row.user_id})


def created_of(row: ApiKey, key: str) -> ApiKeyCreated:
    return ApiKeyCreated.model_validate({**_fields(row), "key": key})


def page_of(found: Page[ApiKey], convert: Callable[[ApiKey], T]) -> Page[T]:
    return Page[T](
        items=[convert(row) for row in found.items],
        total=found.total,
        page=found.page,
        size=found.size,
        pages=found.pages,
    )
