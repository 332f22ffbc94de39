"""Redis as the monitor shows it: memory from ``INFO memory``, and keys counted per prefix.

The count walks the deployment's keys (``{key_prefix}*``) with ``SCAN ... COUNT``, never
``KEYS``, and stops at ``scan_limit`` keys: on a big keyspace the counts are of the part walked
and say so (``partial``). A key is counted under its first segment after the deployment's
prefix (``auth``, ``realtime``, ``scheduler``, ...); Celery's own keys fall under theirs.
"""

from __future__ import annotations

from collections import Counter

from atrium.core.redis import RedisClient
from atrium.monitor.schemas import PrefixCount, RedisRead

SCAN_COUNT = 1000
GLOB_SPECIALS = str.maketrans({c: "\\" + c for c in "*?[]\\"})


def _prefix(name: str, deployment: str) -> str:
    rest = name[len(deployment) :]
    head, colon, _ = rest.partition(":")
    return head + colon if colon else head


async def read(redis: RedisClient, deployment: str, limit: int) -> RedisRead:
    """Memory use and per-prefix key counts (bounded by ``limit`` keys)."""
    memory = await redis.info("memory")
    counts: Counter[str] = Counter()
    scanned, partial = 0, False
    pattern = deployment.translate(GLOB_SPECIALS) + "*"
    async for name in redis.scan_iter(match=pattern, count=SCAN_COUNT):
        if scanned >= limit:
            partial = True
            break
        counts[_prefix(str(name), deployment)] += 1
        scanned += 1
    return RedisRead(
        used_memory_bytes=int(memory.get("used_memory", 0)),
        peak_memory_bytes=int(memory.get("used_memory_peak", 0)),
        max_memory_bytes=int(memory.get("maxmemory", 0)),
        key_prefix=deployment,
        prefixes=[PrefixCount(prefix=p, keys=n) for p, n in sorted(counts.items())],
        scanned=scanned,
        partial=partial,
    )
