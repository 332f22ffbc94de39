"""The todos domain's wire models: what clients send and get back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import Path
from pydantic import Field

from atrium.core.schemas import Schema
from atrium.todos.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH

TodoID = Annotated[UUID, Path(description="The todo's id")]


class TodoCreate(Schema):
    title: str = Field(min_length=1, max_length=TITLE_MAX_LENGTH)
    body: str = Field(default="", max_length=BODY_MAX_LENGTH)


class TodoRead(Schema):
    id: UUID
    owner_id: UUID
    title: str
    body: str
    created_at: datetime
    updated_at: datetime
