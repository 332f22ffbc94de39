"""The parameters domain's wire models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import Path
from pydantic import ConfigDict, Field, JsonValue, StringConstraints

from atrium.core.parameters import ParameterType
from atrium.core.schemas import Schema
from atrium.parameters.models import DESCRIPTION_MAX_LENGTH, KEY_MAX_LENGTH

# ``accounts.registration``: lower case, digits and ``_``, in ``.``-separated parts.
KEY_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"
Key = Annotated[
    str,
    StringConstraints(min_length=2, max_length=KEY_MAX_LENGTH, pattern=KEY_PATTERN),
]
ParameterKey = Annotated[
    str,
    Path(
        min_length=2,
        max_length=KEY_MAX_LENGTH,
        pattern=KEY_PATTERN,
        description="A parameter's dotted key (``accounts.registration``)",
    ),
]
Description = Annotated[str, Field(max_length=DESCRIPTION_MAX_LENGTH)]


class ParameterCreate(Schema):
    """A custom parameter: its key and type never change once made."""

    key: Key
    type: ParameterType
    value: JsonValue
    description: Description = ""


class ParameterUpdate(Schema):
    """What may change: the value and the description (a ``null`` value is a value, for a
    ``json`` parameter). Asking to change the key or the type is a 422, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")

    value: JsonValue = None
    description: Description | None = None


class ParameterRead(Schema):
    key: str
    type: ParameterType
    # What readers get now: the override, else (declared) the setting's value.
    value: JsonValue
    # A declared parameter's default (its setting's value); null for a custom one.
    default: JsonValue
    overridden: bool
    declared: bool
    description: str
    source: str | None
    choices: list[str | int] | None
    minimum: int | None
    maximum: int | None
    created_at: datetime
    updated_at: datetime
    updated_by: UUID | None
