from __future__ import annotations

import pytest

from atrium.config import Settings
from tests.rbac.domains import with_rbac


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The default domains (the second factor among them), cheap hashing, the probe routes."""
    return with_rbac(settings)
