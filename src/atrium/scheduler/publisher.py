"""Publishing beat's messages with Celery, in one dedicated thread (kombu's calls block)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import structlog
from celery import Celery

log = structlog.get_logger(__name__)

# Beat must not hang on a broker outage: a short publish retry, then the slot is retried later.
RETRY_POLICY = {"max_retries": 2, "interval_start": 0.1, "interval_step": 0.2, "interval_max": 0.5}

# Celery's own message headers (protocol 2) and the ledger's: a periodic task's ``headers`` are
# merged over them, so ``{"task": "other.task"}`` would run a task other than the one checked.
RESERVED_HEADERS = frozenset(
    {
        "lang",
        "task",
        "id",
        "shadow",
        "eta",
        "expires",
        "retries",
        "timelimit",
        "root_id",
        "parent_id",
        "argsrepr",
        "kwargsrepr",
        "origin",
        "ignore_result",
        "replaced_task_nesting",
        "atrium_ledger",
    }
)
RESERVED_PREFIXES = ("group", "stamp")


def reserved_headers(headers: dict[str, Any] | None) -> list[str]:
    """The keys of ``headers`` that would override a message header Celery or beat sets."""
    return sorted(
        name
        for name in headers or {}
        if name.lower() in RESERVED_HEADERS or name.lower().startswith(RESERVED_PREFIXES)
    )


@dataclass(slots=True)
class Message:
    task: str
    task_id: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


class Publisher:
    def __init__(self, app: Celery) -> None:
        self.app = app
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="atrium-publish")

    async def publish(self, messages: Sequence[Message]) -> list[bool]:
        """Send each message; the result says which were accepted by the broker."""
        if not messages:
            return []
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._publish_all, list(messages))

    def _publish_all(self, messages: list[Message]) -> list[bool]:
        sent: list[bool] = []
        try:
            with self.app.producer_or_acquire() as producer:
                for message in messages:
                    if not self._publish_one(message, producer):
                        break  # the broker is likely down: the rest are retried later
                    sent.append(True)
        except Exception:
            log.exception("beat_publish_failed")
        return sent + [False] * (len(messages) - len(sent))

    def _publish_one(self, message: Message, producer: Any) -> bool:
        try:
            self.app.send_task(
                message.task,
                args=message.args,
                kwargs=message.kwargs,
                task_id=message.task_id,
                producer=producer,
                retry=True,
                retry_policy=RETRY_POLICY,
                **message.options,
            )
        except Exception:
            log.exception("beat_publish_failed", task=message.task, task_id=message.task_id)
            return False
        return True

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
