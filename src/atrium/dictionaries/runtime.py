"""The dictionaries domain's per-process objects, built at startup and kept in ``AppState``."""

from __future__ import annotations

from dataclasses import dataclass

from atrium.core.invalidation import AckedListener
from atrium.core.state import StateKey
from atrium.dictionaries.cache import DictionaryCache, DictionaryReader
from atrium.dictionaries.settings import DictionarySettings


@dataclass(slots=True)
class DictionariesRuntime:
    settings: DictionarySettings
    cache: DictionaryCache
    reader: DictionaryReader
    listener: AckedListener | None = None


DICTIONARIES: StateKey[DictionariesRuntime] = StateKey("dictionaries.runtime")
