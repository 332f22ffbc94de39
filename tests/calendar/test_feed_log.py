"""The feed URL's secret never reaches the access log: its line names the route's template."""

from __future__ import annotations

import logging

import httpx
import pytest

from atrium.config import Settings
from tests.support.workspace import MakeUser

from .helpers import FEED, PUBLIC_FEED


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.logging.access_log = True
    settings.logging.level = "INFO"
    return settings


async def test_the_access_log_names_the_template_not_the_secret(
    client: httpx.AsyncClient, member: MakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    alice = await member("alice")
    path = (await client.post(FEED, headers=alice.headers)).json()["data"]["path"]
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert (await client.get(path)).status_code == 200
        assert (await client.get(FEED, headers=alice.headers)).status_code == 200
    ours = [record for record in caplog.records if record.name.startswith("atrium")]
    assert ours
    assert not [record for record in ours if path.split("/")[-1] in record.getMessage()]
    entries = [record.msg for record in ours if isinstance(record.msg, dict)]
    paths = [entry["path"] for entry in entries if entry.get("event") == "request"]
    assert paths == [PUBLIC_FEED, FEED]
