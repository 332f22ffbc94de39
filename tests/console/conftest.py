"""The console tests run the real build in Chromium against a live app on the embedded stores;
SQLite only (they are about the pages, not the SQL backend)."""

from __future__ import annotations

import pytest

from atrium.config import Settings
from tests.support.console import console_build


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The app serves the console's real build (an absolute path: any working directory)."""
    settings.console.dist_dir = console_build()
    return settings
