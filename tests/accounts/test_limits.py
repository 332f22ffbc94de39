"""The rate limits of the account flows: per target (an address, a login, a username asked
for), known and unknown alike; 429 with Retry-After and the domain's own code."""

from __future__ import annotations

import httpx
import pytest

from atrium.accounts.settings import AccountsSettings
from atrium.config import Settings
from atrium.core.state import AppState
from tests.accounts.flows import post, register
from tests.support.accounts import address
from tests.support.users import create_user
from tests.support.workers import Proc


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.set_group(
        settings.group(AccountsSettings).model_copy(
            update={"rate_per_address": "1000/minute", "rate_per_target": "3/minute"}
        )
    )
    return settings


async def test_the_limits_count_known_and_unknown_targets_alike(
    client: httpx.AsyncClient, state: AppState
) -> None:
    await create_user(state, "limited", email="limited@example.com")
    for login in ("limited", "nobody-at-all"):
        answers = [await post(client, "/password/forgot", {"login": login}) for _ in range(4)]
        assert [a.status_code for a in answers] == [202, 202, 202, 429]
        assert answers[-1].json()["code"] == "ACCOUNTS_RATE_LIMITED"
        assert int(answers[-1].headers["Retry-After"]) >= 1


async def test_registering_one_username_from_many_addresses_is_limited_too(
    client: httpx.AsyncClient, state: AppState, worker: Proc
) -> None:
    # The "username taken" mail says the name exists, so each name is a target like an address.
    answers = [await register(client, "one-name", address(f"n{n}")) for n in range(4)]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert answers[-1].json()["code"] == "ACCOUNTS_RATE_LIMITED"
