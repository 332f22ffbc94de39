"""Scheduler test fixtures: an allow-all access policy (until RBAC lands), beat engines."""

from __future__ import annotations

import pytest
from fastapi import Request

from atrium.core.access import ACCESS_POLICY
from atrium.core.routing import RouteInfo
from atrium.core.state import AppState
from tests.scheduler.engine_helpers import engines
from tests.worker.conftest import mongo_db, process_redis_db, process_redis_url

# Fixtures shared with the worker tests, and the engine factory.
__all__ = ["engines", "mongo_db", "process_redis_db", "process_redis_url"]


class AllowAll:
    """Test-only policy: the auth domain's login is not available to these tests yet."""

    async def authorize(self, request: Request, route: RouteInfo) -> None:
        return None


@pytest.fixture
def allow_all(state: AppState) -> None:
    state.set(ACCESS_POLICY, AllowAll())
