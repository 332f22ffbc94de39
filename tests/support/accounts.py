"""Account flows for tests: a real worker that runs the account and mail tasks, and the caught
mail (the real SMTP catcher's Maildir) read back with the token of its link."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path
from uuid import uuid4

from atrium.config import Settings
from atrium.mail.catcher import CaughtMail, caught
from tests.support.workers import Proc, process_env, start_worker

TOKEN = re.compile(r"[?&]token=([A-Za-z0-9._~-]+)")


def address(name: str) -> str:
    """An address no other test (or earlier run) has mailed: the catcher keeps everything."""
    return f"{name}-{uuid4().hex[:10]}@example.com"


def _mail_env(services: dict[str, str], settings: Settings, **extra: str) -> dict[str, str]:
    """A worker's environment on the test's own stores (its SQL, MongoDB database and Redis)."""
    return process_env(
        services,
        sql_url=settings.sql.url,
        redis_url=settings.redis.url,
        mongo_db=settings.mongo.database,
        ATRIUM_DOMAINS=json.dumps(settings.domains),
        ATRIUM_MAIL__HOST=services.get("ATRIUM_MAIL__HOST", "127.0.0.1"),
        ATRIUM_MAIL__PORT=services["ATRIUM_MAIL__PORT"],
        ATRIUM_MAIL__CATCHER_DIR=services["ATRIUM_MAIL__CATCHER_DIR"],
        **extra,
    )


class MailWorkers:
    """One running mail worker, shared by consecutive tests whose stores and settings are the
    same (one starts in seconds, and the account tests need one each). Workers on one broker
    would take each other's tasks, so a test that needs another environment gets a new worker
    in place of the old; one that died is replaced too."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._key: tuple[tuple[str, str], ...] = ()
        self._worker: Proc | None = None

    def get(self, services: dict[str, str], settings: Settings, **extra: str) -> Proc:
        """The worker of this environment, started unless it is the one running."""
        env = _mail_env(services, settings, **extra)
        key = tuple(sorted((k, v) for k, v in env.items() if k != "PYTEST_CURRENT_TEST"))
        worker = self._worker
        if worker is None or key != self._key or worker.popen.poll() is not None:
            self.stop()
            log = self._folder / f"worker-{uuid4().hex[:8]}.log"
            self._worker, self._key = start_worker(env, log), key
        assert self._worker is not None
        return self._worker

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None


def _for(folder: Path, to: str) -> list[CaughtMail]:
    return [mail for mail in caught(folder, 1000) if to in mail.to]


async def mail_to(
    services: dict[str, str], to: str, subject: str, *, within: float = 20
) -> CaughtMail:
    """The newest caught mail to ``to`` whose subject contains ``subject`` (waits for it)."""
    folder = Path(services["ATRIUM_MAIL__CATCHER_DIR"])
    deadline = time.monotonic() + within
    while True:
        found = [m for m in await asyncio.to_thread(_for, folder, to) if subject in m.subject]
        if found:
            return found[0]
        if time.monotonic() > deadline:
            seen = [m.subject for m in await asyncio.to_thread(_for, folder, to)]
            raise AssertionError(f"no mail to {to} about {subject!r} within {within}s: {seen}")
        await asyncio.sleep(0.1)


def mails_to(services: dict[str, str], to: str) -> list[CaughtMail]:
    return _for(Path(services["ATRIUM_MAIL__CATCHER_DIR"]), to)


def token_in(mail: CaughtMail) -> str:
    """The token of the mail's link."""
    found = TOKEN.search(mail.text)
    assert found is not None, mail.text
    return found.group(1)
