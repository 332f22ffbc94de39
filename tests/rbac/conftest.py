from __future__ import annotations

import pytest

from atrium.config import Settings
from tests.rbac.domains import with_rbac


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_rbac(settings)
