from __future__ import annotations

import pytest

from atrium.config import Settings
from tests.auth.helpers import fast_auth


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Cheap password hashing (the production default costs ~150 ms a hash here)."""
    return fast_auth(settings)
