"""Redis key counts: per prefix, Celery's result keys as one, bounded in rows and in keys walked."""

from __future__ import annotations

from uuid import uuid4

from atrium.core.state import AppState
from atrium.monitor import redisinfo


async def test_keys_are_counted_per_prefix_and_bounded(state: AppState) -> None:
    await state.redis.flushdb()
    pairs = {f"celery-task-meta-{uuid4()}": "1" for _ in range(5)}
    pairs.update({f"auth:session:{n}": "1" for n in range(3)})
    pairs.update({f"loose{n}": "1" for n in range(redisinfo.MAX_PREFIXES + 5)})
    await state.redis.mset(pairs)
    found = await redisinfo.read(state.redis, "", limit=10_000)
    counts = {row.prefix: row.keys for row in found.prefixes}
    assert (counts["celery-task-meta-*"], counts["auth:"]) == (5, 3)
    assert len(found.prefixes) == redisinfo.MAX_PREFIXES + 1
    assert sum(counts.values()) == found.scanned == len(pairs)
    assert found.prefixes[-1].prefix == redisinfo.OTHER
    bounded = await redisinfo.read(state.redis, "", limit=20)
    assert (bounded.scanned, bounded.partial) == (20, True)
    assert found.used_memory_bytes > 0
    assert not found.partial
