"""Fixtures of the dashboard tests: cheap hashing, and the workspace domains' tables (for the
"my" widgets) on the suite's database of each SQL backend."""

from __future__ import annotations

import pytest

from atrium.config import Settings
from tests.support.settings import fast_auth
from tests.support.workspace import migrated, with_domain

WIDGET_DOMAINS = ("atrium.todos", "atrium.calendar")


@pytest.fixture(scope="session")
def sql_url(sql_url: str) -> str:
    for package in WIDGET_DOMAINS:
        migrated(sql_url, package)
    return sql_url


@pytest.fixture
def settings(settings: Settings) -> Settings:
    for package in (*WIDGET_DOMAINS, "atrium.dashboard"):
        with_domain(settings, package)
    return fast_auth(settings)
