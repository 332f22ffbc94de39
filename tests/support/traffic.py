"""What a piece of a test sends to the stores: the SQL statements it runs and the Redis commands
the server counts, so a test can show that a warm path touches neither."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from atrium.core.state import AppState


@dataclass
class Traffic:
    statements: list[str] = field(default_factory=list)
    redis_commands: int = 0


@contextmanager
def sql_statements(state: AppState) -> Iterator[list[str]]:
    """The statements run on the app's engine inside the block."""
    seen: list[str] = []

    def listen(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = state.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


async def redis_commands(state: AppState) -> int:
    """The Redis server's count of commands processed (every client's)."""
    stats: dict[str, Any] = await state.redis.info("stats")
    return int(stats["total_commands_processed"])


@asynccontextmanager
async def traffic(state: AppState) -> AsyncIterator[Traffic]:
    """SQL statements and Redis commands inside the block (the count's own INFO included)."""
    with sql_statements(state) as statements:
        seen = Traffic(statements)
        before = await redis_commands(state)
        yield seen
        seen.redis_commands = await redis_commands(state) - before
