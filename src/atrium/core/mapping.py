"""Wire model → table model or document, with no field lost on the way.

Request models speak camelCase on the wire and snake_case in Python. Dumping one by alias and
passing the dict to a SQLModel table drops every camelCase key without a word (a table model
ignores unknown keywords), and ``setattr`` of such a key on an update fails with a 500. A
``FieldMap`` names a (wire model, stored model) pair once: it reads the wire model by field
name, says which fields the caller maps itself, and refuses a field with no destination. Every
map registers itself, so one test checks every pair in the application
(``tests/core/test_mapping.py``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)

_REGISTRY: list[FieldMap[Any]] = []


class UnmappedFieldError(TypeError):
    """A wire field has no destination in the stored model (a programming error)."""


@dataclass(frozen=True, eq=False)
class FieldMap(Generic[T]):
    """How the fields of ``source`` land on ``target``.

    ``handled``: source fields the caller maps itself (a schedule spread over columns, a
    password that becomes a hash). ``renamed``: source field → target field, where they differ.
    """

    source: type[BaseModel]
    target: type[T]
    handled: Collection[str] = ()
    renamed: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _REGISTRY.append(self)

    def unmapped(self) -> list[str]:
        """Source fields that are neither handled nor present on the target."""
        destinations = set(self.target.model_fields)
        return [
            name
            for name in self.source.model_fields
            if name not in self.handled and self.renamed.get(name, name) not in destinations
        ]

    def values(self, data: BaseModel, *, only_set: bool = False) -> dict[str, Any]:
        """The target's keyword arguments from ``data`` (only the fields sent, if ``only_set``)."""
        if not isinstance(data, self.source):
            raise TypeError(f"expected {self.source.__name__}, got {type(data).__name__}")
        if missing := self.unmapped():
            raise UnmappedFieldError(
                f"{self.source.__name__} fields with no destination on "
                f"{self.target.__name__}: {', '.join(missing)}"
            )
        names = data.model_fields_set if only_set else type(data).model_fields
        return {
            self.renamed.get(name, name): getattr(data, name)
            for name in names
            if name not in self.handled
        }

    def create(self, data: BaseModel, **extra: Any) -> T:
        """A new target from ``data``; ``extra`` fills what the caller maps itself."""
        return self.target(**self.values(data), **extra)

    def apply(
        self,
        obj: T,
        data: BaseModel,
        *,
        clearable: Collection[str] = (),
        extra: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Set the fields ``data`` carries (and ``extra``) on ``obj``; return what was set.

        A ``null`` sent for a field means "leave it" unless the field is ``clearable``.
        """
        changes = {**self.values(data, only_set=True), **(extra or {})}
        applied = {
            name: value for name, value in changes.items() if value is not None or name in clearable
        }
        for name, value in applied.items():
            setattr(obj, name, value)
        return applied


def registered() -> list[FieldMap[Any]]:
    """Every map declared so far (import the modules that declare them first)."""
    return list(_REGISTRY)
