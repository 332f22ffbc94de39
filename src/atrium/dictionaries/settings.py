"""The dictionaries domain's settings (``ATRIUM_DICTIONARIES__*``)."""

from __future__ import annotations

from pydantic import Field

from atrium.config import SettingsGroup


class DictionarySettings(SettingsGroup, section="dictionaries"):
    # How long a node serves a dictionary from memory without asking again (0: no in-process
    # cache); a change reaches every node at once, this is only the safety net.
    cache_seconds: float = Field(default=60, ge=0, le=3600)
    # How long Redis keeps a dictionary read from SQL.
    redis_ttl_seconds: int = Field(default=3600, ge=1, le=86_400)
    # The most dictionaries one read may ask for.
    max_codes_per_read: int = Field(default=50, ge=1, le=500)
