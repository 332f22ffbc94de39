from __future__ import annotations

import pytest

from atrium.config import Settings
from atrium.core.state import AppState
from tests.support.live import LiveServer


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """With the sample socket events of these tests."""
    settings.domains = [*settings.domains, "tests.realtime.sample_domain"]
    return settings


@pytest.fixture
def state(live: LiveServer) -> AppState:
    """The live server's state (its stores), not a second app's."""
    result: AppState = live.app.state.atrium
    return result
