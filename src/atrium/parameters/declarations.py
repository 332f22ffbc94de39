"""The parameters the configured domains declare (``Domain.parameters``), by key, with the
settings their defaults are read from."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pydantic import JsonValue

from atrium.config import Settings
from atrium.core.domain import load_domains
from atrium.core.parameters import DeclaredParameter


@dataclass(frozen=True, slots=True)
class Declaration:
    """A declared parameter and the domain that declares it (its ``source``)."""

    source: str
    parameter: DeclaredParameter


class Declarations:
    """Every declared parameter of the configured domains; a key declared twice is refused."""

    def __init__(self, settings: Settings, found: Iterable[tuple[str, DeclaredParameter]]) -> None:
        self.settings = settings
        self._by_key: dict[str, Declaration] = {}
        for source, parameter in found:
            if parameter.key in self._by_key:
                raise ValueError(f"parameter {parameter.key!r} is declared twice")
            self._by_key[parameter.key] = Declaration(source, parameter)

    @classmethod
    def of(cls, settings: Settings) -> Declarations:
        return cls(settings, load_domains(settings).parameters())

    def __iter__(self) -> Iterator[Declaration]:
        return iter(self._by_key.values())

    def get(self, key: str) -> Declaration | None:
        return self._by_key.get(key)

    def default(self, key: str) -> JsonValue:
        """The declared parameter's setting value (None for an undeclared key)."""
        found = self._by_key.get(key)
        return None if found is None else found.parameter.default(self.settings)
