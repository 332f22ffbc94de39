"""``mail.send`` in a real worker: delivered once and logged; retried, then failed, when the
server does not answer; the log never holds the body."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest

from atrium.config import MongoSettings, RedisSettings, Settings
from atrium.core.errors import TaskQueueUnavailable
from atrium.core.state import AppState, open_state
from atrium.core.worker.app import create_celery
from atrium.mail import service
from atrium.mail.catcher import caught
from atrium.mail.documents import MailLog, MailStatus
from atrium.mail.settings import MailSettings
from tests.support.celery import celery_app
from tests.support.live import free_port
from tests.support.settings import mail_settings
from tests.support.workers import DOMAINS, Proc, process_env, start_worker


def _env(
    services: dict[str, str], redis_url: str, mongo_db: str, tmp: Path, **mail: str
) -> dict[str, str]:
    values = {
        "ATRIUM_MAIL__HOST": services.get("ATRIUM_MAIL__HOST", "127.0.0.1"),
        "ATRIUM_MAIL__PORT": services["ATRIUM_MAIL__PORT"],
        "ATRIUM_MAIL__CATCHER_DIR": services["ATRIUM_MAIL__CATCHER_DIR"],
        **mail,
    }
    return process_env(
        services,
        sql_url=f"sqlite+aiosqlite:///{tmp / 'w.db'}",
        redis_url=redis_url,
        mongo_db=mongo_db,
        ATRIUM_DOMAINS=json.dumps([*DOMAINS, "atrium.mail"]),
        **values,
    )


@pytest.fixture
async def sender(
    services: dict[str, str], process_redis_url: str, mongo_db: str
) -> AsyncIterator[AppState]:
    """This process, sending to the workers' broker and logging in their MongoDB database."""
    settings = Settings(
        mail_settings(services),
        _env_file=None,
        redis=RedisSettings(url=process_redis_url),
        mongo=MongoSettings(url=services["ATRIUM_MONGO__URL"], database=mongo_db),
    )
    create_celery(settings)  # the current app: typed tasks send through it
    state = await open_state(settings, [MailLog], storage=False)
    try:
        yield state
    finally:
        await state.mongo.client.drop_database(mongo_db)
        await state.close()


async def _until(log_id: object, done: set[MailStatus], seconds: float = 30) -> MailLog:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        entry = await MailLog.get(log_id)
        assert entry is not None
        if entry.status in done or asyncio.get_running_loop().time() > deadline:
            return entry
        await asyncio.sleep(0.1)


async def test_a_queued_mail_is_delivered_once_and_logged_without_its_body(
    services: dict[str, str],
    process_redis_url: str,
    mongo_db: str,
    tmp_path: Path,
    sender: AppState,
) -> None:
    worker = start_worker(_env(services, process_redis_url, mongo_db, tmp_path), tmp_path / "w.log")
    project = f"Secret-{uuid4().hex}"
    try:
        entry = await service.queue(
            sender.settings.group(MailSettings), ["dave@example.com"], "test", {"project": project}
        )
        sent = await _until(entry.id, {MailStatus.SENT, MailStatus.FAILED})
    finally:
        worker.stop()
    assert (sent.status, sent.attempts, sent.error) == (MailStatus.SENT, 1, None)
    assert sent.sent_at is not None
    found = [
        m for m in caught(Path(services["ATRIUM_MAIL__CATCHER_DIR"]), 200) if project in m.text
    ]
    assert len(found) == 1
    assert found[0].subject == f"{project}: a test message"
    stored = json.dumps(sent.model_dump(mode="json"))
    assert "test message from" not in stored  # the body is never logged


async def test_an_unanswered_server_is_retried_then_the_mail_is_failed(
    services: dict[str, str],
    process_redis_url: str,
    mongo_db: str,
    tmp_path: Path,
    sender: AppState,
) -> None:
    env = _env(
        services,
        process_redis_url,
        mongo_db,
        tmp_path,
        ATRIUM_MAIL__PORT=str(free_port()),
        ATRIUM_MAIL__MAX_RETRIES="1",
        ATRIUM_MAIL__TIMEOUT_SECONDS="2",
    )
    worker: Proc = start_worker(env, tmp_path / "w.log")
    try:
        entry = await service.queue(
            sender.settings.group(MailSettings), ["erin@example.com"], "test", {"project": "X"}
        )
        failed = await _until(entry.id, {MailStatus.FAILED})
    finally:
        worker.stop()
    assert (failed.status, failed.attempts) == (MailStatus.FAILED, 2)
    assert failed.error is not None
    assert "Connect" in failed.error


async def test_a_broker_that_does_not_take_the_message_fails_its_entry(sender: AppState) -> None:
    sender.settings.celery.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    create_celery(sender.settings)  # current: the mail task publishes to a closed port
    try:
        with pytest.raises(TaskQueueUnavailable) as refused:
            await service.queue(
                sender.settings.group(MailSettings), ["fay@example.com"], "test", {"project": "Y"}
            )
    finally:
        celery_app()  # the suite's app is current again
    assert refused.value.status_code == 503
    [entry] = await MailLog.find(MailLog.to == ["fay@example.com"]).to_list()
    assert (entry.status, entry.error) == (
        MailStatus.FAILED,
        "the task queue did not take the message",
    )
