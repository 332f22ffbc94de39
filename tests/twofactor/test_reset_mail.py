"""Changes of a factor are mailed to its owner (here: enabling it, then an administrator's reset):
queued when the change commits, sent by a real worker over SMTP, caught by the test profile's
catcher."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from atrium.config import MongoSettings, RedisSettings, Settings
from atrium.core.state import AppState
from atrium.mail.catcher import CaughtMail, caught
from tests.support.twofactor import enable
from tests.support.users import bearer, create_user, tokens, user_with_grants
from tests.support.workers import DOMAINS, Proc, process_env, start_worker

RESET_CODE = "DELETE:/api/v1/users/{user_id}/second-factor"


@pytest.fixture
def settings(settings: Settings, process_redis_url: str, mongo_db: str) -> Settings:
    """The app on the workers' broker and MongoDB database, so a worker sends what it queues."""
    settings.redis = RedisSettings(url=process_redis_url)
    settings.mongo = MongoSettings(url=settings.mongo.url, database=mongo_db)
    return settings


@pytest.fixture
def worker(services: dict[str, str], settings: Settings, sql_url: str, tmp_path: Path) -> Proc:
    env = process_env(
        services,
        sql_url=sql_url,
        redis_url=settings.redis.url,
        mongo_db=settings.mongo.database,
        ATRIUM_DOMAINS=json.dumps([*DOMAINS, "atrium.mail"]),
        ATRIUM_MAIL__HOST=services.get("ATRIUM_MAIL__HOST", "127.0.0.1"),
        ATRIUM_MAIL__PORT=services["ATRIUM_MAIL__PORT"],
        ATRIUM_MAIL__CATCHER_DIR=services["ATRIUM_MAIL__CATCHER_DIR"],
    )
    return start_worker(env, tmp_path / "worker.log")


async def _mail_to(folder: Path, address: str, count: int, seconds: float = 30) -> list[CaughtMail]:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        found = [mail for mail in caught(folder, 500) if address in mail.to]
        if len(found) >= count or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.2)


async def test_the_user_is_mailed_when_their_factor_is_reset(
    client: httpx.AsyncClient, state: AppState, services: dict[str, str], worker: Proc
) -> None:
    address = f"erin-{uuid4().hex[:8]}@example.com"
    erin = await create_user(state, "erin", email=address)
    await enable(client, bearer((await tokens(client, "erin"))["accessToken"]))
    helpdesk = await user_with_grants(state, client, "helpdesk", [RESET_CODE])
    try:
        answer = await client.delete(
            f"/api/v1/users/{erin.id}/second-factor", headers=helpdesk.headers
        )
        assert answer.status_code == 200, answer.text
        found = await _mail_to(Path(services["ATRIUM_MAIL__CATCHER_DIR"]), address, 2)
    finally:
        worker.stop()
    assert len(found) == 2, worker.text()[-3000:]
    subjects = {mail.subject: mail for mail in found}
    assert set(subjects) == {
        "Atrium: a second factor was turned on",
        "Atrium: your second factor was reset",
    }
    reset = subjects["Atrium: your second factor was reset"]
    assert "Hello erin" in reset.text
    assert reset.html is not None
    assert "Hello erin" in subjects["Atrium: a second factor was turned on"].text
