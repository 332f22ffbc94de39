"""The parameters domain's per-process objects, built at startup (API) or on a worker's first
task, and kept in ``AppState``; the runtime is also the ``core.parameters`` source."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import JsonValue

from atrium.core.invalidation import AckedListener
from atrium.core.state import StateKey
from atrium.parameters.cache import OverrideReader
from atrium.parameters.declarations import Declarations
from atrium.parameters.settings import ParameterSettings


@dataclass(slots=True)
class ParametersRuntime:
    settings: ParameterSettings
    declarations: Declarations
    reader: OverrideReader
    listener: AckedListener | None = None

    async def overrides(self) -> Mapping[str, JsonValue]:
        """Every overridden parameter's value, by key (``core.parameters.ParameterSource``)."""
        return await self.reader.read()

    async def get(self, key: str) -> JsonValue:
        """``key``'s value now: its override, else its declared default (None: no override and
        no declaration)."""
        found = await self.reader.read()
        if key in found:
            declared = self.declarations.get(key)
            if declared is None or declared.parameter.problem(found[key]) is None:
                return found[key]
        return self.declarations.default(key)


PARAMETERS_RUNTIME: StateKey[ParametersRuntime] = StateKey("parameters.runtime")
