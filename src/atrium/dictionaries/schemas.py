"""The dictionaries domain's wire models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import Path
from pydantic import ConfigDict, Field, StringConstraints

from atrium.core.schemas import Schema
from atrium.dictionaries.models import (
    DESCRIPTION_MAX_LENGTH,
    LABEL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    VALUE_MAX_LENGTH,
)

DictionaryTypeID = Annotated[UUID, Path(description="A dictionary type's id")]
DictionaryItemID = Annotated[UUID, Path(description="An item's id, within its dictionary type")]

# ``user_status``: what frontends ask for; lower case, digits, ``_`` and ``.``.
Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=2, max_length=64, pattern=r"^[a-z][a-z0-9_.]*$"
    ),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Value = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=VALUE_MAX_LENGTH)
]
Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=LABEL_MAX_LENGTH)
]
# ``#1677ff`` or a tag name (``success``, ``warning``, ``processing``), or empty.
Color = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=32, pattern=r"^(|#[0-9A-Fa-f]{6}|[a-z][a-z0-9-]{0,31})$"
    ),
]
SortOrder = Annotated[int, Field(ge=-1_000_000, le=1_000_000)]


class DictionaryTypeCreate(Schema):
    code: Code
    name: Name = Field(max_length=NAME_MAX_LENGTH)
    description: str = Field(default="", max_length=DESCRIPTION_MAX_LENGTH)
    enabled: bool = True


class DictionaryTypeUpdate(Schema):
    """What may change: the code never does (records and frontends use it), and asking to
    change it is a 422, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX_LENGTH)
    enabled: bool | None = None


class DictionaryTypeRead(Schema):
    id: UUID
    code: str
    name: str
    description: str
    enabled: bool
    source: str | None
    created_at: datetime
    updated_at: datetime


class DictionaryItemCreate(Schema):
    value: Value
    label: Label
    sort_order: SortOrder = 0
    color: Color = ""
    enabled: bool = True


class DictionaryItemUpdate(Schema):
    """What may change: the value never does (records store it); asking to is a 422."""

    model_config = ConfigDict(extra="forbid")

    label: Label | None = None
    sort_order: SortOrder | None = None
    color: Color | None = None
    enabled: bool | None = None


class DictionaryItemRead(Schema):
    id: UUID
    type_id: UUID
    value: str
    label: str
    sort_order: int
    color: str
    enabled: bool
    created_at: datetime
    updated_at: datetime


class DictionaryOption(Schema):
    """One enabled item, as a drop-down shows it."""

    value: str
    label: str
    color: str
    sort_order: int


class DictionaryData(Schema):
    """An enabled dictionary type with its enabled items, in display order."""

    code: str
    name: str
    items: list[DictionaryOption]
