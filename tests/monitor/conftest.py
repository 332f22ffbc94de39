"""Fixtures of the monitor tests: a fast heartbeat, so a node's coming and going shows at once."""

from __future__ import annotations

import pytest

from atrium.config import Settings
from atrium.monitor.settings import MonitorSettings
from tests.support.settings import fast_auth

PACKAGE = "atrium.monitor"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    if PACKAGE not in settings.domains:
        settings.domains = [*settings.domains, PACKAGE]
    settings.set_group(MonitorSettings(heartbeat_seconds=1, push_seconds=0.5, cache_seconds=0.5))
    return fast_auth(settings)
