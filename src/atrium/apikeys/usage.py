"""'Last used' (when, from which address and client) written in batches, never per request.

The guard tells the recorder of each use (``seen``: a dict write). A background task writes what
accumulated every ``apikeys.last_used_flush_seconds``, one statement for the whole batch in one
transaction, keeping the newest use when several nodes write the same key; the rest is written at
shutdown. So a key used a thousand times a second costs one row update per interval per node.

The write is a plain SQL ``UPDATE`` (no ORM flush): it changes nothing the access caches hold, so
no commit hook hears of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

import structlog
from sqlalchemy import Table, bindparam, or_

from atrium.apikeys.models import ADDRESS_MAX_LENGTH, AGENT_MAX_LENGTH, ApiKey
from atrium.auth.principal import ClientInfo
from atrium.core.db import Database, UTCDateTime

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Use:
    at: float  # Unix seconds
    ip: str | None
    user_agent: str


class UsageRecorder:
    """The uses seen since the last write, and the task that writes them."""

    def __init__(self, db: Database, flush_seconds: float) -> None:
        self.db = db
        self.flush_seconds = flush_seconds
        self._pending: dict[UUID, Use] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.writes = 0  # statements written (batches), for tests and metrics

    def seen(self, key_id: UUID, client: ClientInfo) -> None:
        self._pending[key_id] = Use(time.time(), client.ip, client.user_agent)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="apikeys-last-used")

    async def stop(self) -> None:
        """Write what is left; a write under way finishes first (never cut off mid-statement)."""
        if self._task is not None:
            self._stopping.set()
            await self._task
            self._task = None
        await self.flush()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.flush_seconds)
            await self.flush()

    async def flush(self) -> None:
        """Write what accumulated (kept for the next round if the write fails)."""
        batch, self._pending = self._pending, {}
        if not batch:
            return
        try:
            await self._write(batch)
        except Exception as exc:
            log.warning("apikeys_last_used_failed", keys=len(batch), error=repr(exc))
            for key_id, use in batch.items():  # a newer use seen meanwhile wins
                self._pending.setdefault(key_id, use)

    async def _write(self, batch: dict[UUID, Use]) -> None:
        table = cast(Table, getattr(ApiKey, "__table__"))  # noqa: B009 (SQLModel types omit it)
        at = bindparam("at", type_=UTCDateTime())
        statement = (
            table.update()
            .where(table.c.id == bindparam("key_id"))
            .where(or_(table.c.last_used_at.is_(None), table.c.last_used_at < at))
            .values(
                last_used_at=at,
                last_used_ip=bindparam("ip"),
                last_used_agent=bindparam("agent"),
                updated_at=table.c.updated_at,  # metadata did not change
            )
        )
        rows: list[dict[str, Any]] = [
            {
                "key_id": key_id,
                "at": datetime.fromtimestamp(use.at, UTC),
                "ip": (use.ip or "")[:ADDRESS_MAX_LENGTH] or None,
                "agent": use.user_agent[:AGENT_MAX_LENGTH],
            }
            for key_id, use in batch.items()
        ]
        async with self.db.session() as session:
            await session.execute(statement, rows)
        self.writes += 1
