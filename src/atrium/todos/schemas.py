"""The to-dos domain's wire models: what clients send and get back.

Due dates are timezone-aware (an offset or ``Z`` is required; a naive time is a 422) and are
stored and returned in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from fastapi import Path
from pydantic import AfterValidator, AwareDatetime, Field

from atrium.core.schemas import Schema
from atrium.todos.models import (
    DESCRIPTION_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    TodoPriority,
    TodoStatus,
)

TodoID = Annotated[UUID, Path(description="The to-do's id")]
UtcDatetime = Annotated[AwareDatetime, AfterValidator(lambda value: value.astimezone(UTC))]
Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX_LENGTH)]
Description = Annotated[str, Field(max_length=DESCRIPTION_MAX_LENGTH)]


class TodoSort(StrEnum):
    DUE = "due"
    PRIORITY = "priority"
    CREATED = "created"
    UPDATED = "updated"


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


class TodoCreate(Schema):
    title: Title
    description: Description = ""
    status: TodoStatus = TodoStatus.TODO
    priority: TodoPriority = TodoPriority.NORMAL
    due_at: UtcDatetime | None = None
    assignee_id: UUID | None = Field(default=None, description="An active user; none: unassigned")


class TodoUpdate(Schema):
    """The fields sent change; ``dueAt: null`` clears the due date. The assignee changes
    through ``PUT /todos/{todo_id}/assignee``."""

    title: Title | None = None
    description: Description | None = None
    status: TodoStatus | None = None
    priority: TodoPriority | None = None
    due_at: UtcDatetime | None = None


class TodoAssign(Schema):
    assignee_id: UUID | None = Field(description="An active user; null unassigns")


class TodoRead(Schema):
    id: UUID
    owner_id: UUID
    assignee_id: UUID | None
    title: str
    description: str
    status: TodoStatus
    priority: TodoPriority
    due_at: datetime | None
    reminded_at: datetime | None
    created_at: datetime
    updated_at: datetime
