"""Settings a domain lets administrators override at runtime, and the one way to read them.

A domain marks one of its settings as overridable by declaring it in its entry
(``Domain(parameters=(DeclaredParameter(...),))``): a dotted key, a type, the settings field its
default comes from, a description, and optional choices or bounds. Whoever reads the value asks
``current(state, declared)``. When the parameters domain runs it registers the source of the
overrides (``PARAMETERS``); without it, or without an override, the answer is the setting's
value. So a domain reads such a setting the same way whether the parameters domain runs or not,
and never imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Protocol

from pydantic import JsonValue

from atrium.config import Settings, SettingsGroup
from atrium.core.statekey import StateKey

if TYPE_CHECKING:
    from atrium.core.state import AppState


class ParameterType(StrEnum):
    """What a parameter's value is (the JSON it is stored as)."""

    STRING = "string"
    INT = "int"
    BOOL = "bool"
    JSON = "json"  # any JSON value: objects, lists, numbers, null


def type_problem(kind: ParameterType, value: object) -> str | None:
    """Why ``value`` is not of type ``kind`` (None: it is)."""
    fits = {
        ParameterType.STRING: isinstance(value, str),
        ParameterType.INT: isinstance(value, int) and not isinstance(value, bool),
        ParameterType.BOOL: isinstance(value, bool),
        ParameterType.JSON: True,
    }[kind]
    return None if fits else f"must be of type {kind.value}"


# Aliased: inside the class, ``type`` is the field.
GroupClass = type[SettingsGroup]
EnumClass = type[StrEnum]


@dataclass(frozen=True, slots=True)
class DeclaredParameter:
    """A setting a domain lets administrators override: its default is the setting's value."""

    key: str
    type: ParameterType
    group: GroupClass
    field: str
    description: str
    choices: tuple[str | int, ...] = ()
    minimum: int | None = None
    maximum: int | None = None

    @classmethod
    def from_enum(
        cls,
        key: str,
        group: GroupClass,
        field: str,
        description: str,
        values: EnumClass,
    ) -> DeclaredParameter:
        """A string parameter whose choices are the members of ``values``."""
        choices = tuple(member.value for member in values)
        return cls(key, ParameterType.STRING, group, field, description, choices)

    def default(self, settings: Settings) -> JsonValue:
        """The configured value of its setting (an enum member as its value)."""
        value: JsonValue = getattr(settings.group(self.group), self.field)
        return value.value if isinstance(value, Enum) else value

    def problem(self, value: object) -> str | None:
        """Why ``value`` cannot be this parameter's (None: it can)."""
        if (wrong := type_problem(self.type, value)) is not None:
            return wrong
        if self.choices and value not in self.choices:
            return "must be one of " + ", ".join(str(choice) for choice in self.choices)
        if isinstance(value, int) and self.minimum is not None and value < self.minimum:
            return f"must be at least {self.minimum}"
        if isinstance(value, int) and self.maximum is not None and value > self.maximum:
            return f"must be at most {self.maximum}"
        return None


class ParameterSource(Protocol):
    """Where overrides come from (the parameters domain's runtime)."""

    async def overrides(self) -> Mapping[str, JsonValue]:
        """Every overridden parameter's value, by key."""


PARAMETERS: StateKey[ParameterSource] = StateKey("parameters.source")


async def current(state: AppState, declared: DeclaredParameter) -> JsonValue:
    """The parameter's value now: an administrator's override, else its setting's value.

    An override that no longer fits the declaration (edited in SQL, or the declaration changed)
    is ignored rather than handed to the domain.
    """
    source = state.find(PARAMETERS)
    if source is not None:
        found = await source.overrides()
        if declared.key in found and declared.problem(found[declared.key]) is None:
            return found[declared.key]
    return declared.default(state.settings)
