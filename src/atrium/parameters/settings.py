"""The parameters domain's settings (``ATRIUM_PARAMETERS__*``)."""

from __future__ import annotations

from pydantic import Field

from atrium.config import SettingsGroup


class ParameterSettings(SettingsGroup, section="parameters"):
    # How long a node serves parameters from memory without asking SQL again (0: no in-process
    # cache); a change reaches every node at once, this is only the safety net.
    cache_seconds: float = Field(default=60, ge=0, le=3600)
    # The largest value, as JSON text.
    max_value_bytes: int = Field(default=16_384, ge=64, le=1_048_576)
