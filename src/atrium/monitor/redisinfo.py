"""Redis as the monitor shows it: memory from ``INFO memory``, and keys counted per prefix.

The count walks the deployment's keys (``{key_prefix}*``) with ``SCAN ... COUNT``, never
``KEYS``, and stops at ``scan_limit`` keys: on a big keyspace the counts are of the part walked
and say so (``partial``). A key is counted under its first segment after the deployment's
prefix (``auth``, ``realtime``, ``scheduler``, ...); Celery's own keys fall under theirs,
the result keys as ``celery-task-meta-*``. At most ``MAX_PREFIXES`` prefixes are listed, the
largest; the keys of the others are summed under ``(other)``.
"""

from __future__ import annotations

import re
from collections import Counter

from atrium.core.redis import RedisClient
from atrium.monitor.schemas import PrefixCount, RedisRead

SCAN_COUNT = 1000
MAX_PREFIXES = 50
OTHER = "(other)"
TRAILING_ID = re.compile(r"(?<=[-_.])[0-9a-fA-F][0-9a-fA-F-]{15,}$")
GLOB_SPECIALS = str.maketrans({c: "\\" + c for c in "*?[]\\"})


def _prefix(name: str, deployment: str) -> str:
    rest = name[len(deployment) :]
    head, colon, _ = rest.partition(":")
    # A key without a colon ending in an id (Celery's ``celery-task-meta-<uuid>``) is one of many.
    return head + colon if colon else TRAILING_ID.sub("*", head)


def _bounded(counts: Counter[str]) -> list[PrefixCount]:
    """The largest ``MAX_PREFIXES`` prefixes by name; the rest summed under ``OTHER``."""
    kept = dict(counts.most_common(MAX_PREFIXES))
    rows = [PrefixCount(prefix=p, keys=n) for p, n in sorted(kept.items())]
    if rest := sum(n for p, n in counts.items() if p not in kept):
        rows.append(PrefixCount(prefix=OTHER, keys=rest))
    return rows


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
        prefixes=_bounded(counts),
        scanned=scanned,
        partial=partial,
    )
