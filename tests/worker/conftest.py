"""Fixtures for tests that run real worker processes: a Redis database of their own.

The suite's other tests flush Redis database 0 after each test, so worker and beat processes (their
broker, results and records) use another database, claimed for the whole test session: two test
sessions on one Redis server (two engineers, two CI jobs) never share or flush each other's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from uuid import uuid4

import pytest
import redis

CLAIM_KEY = "atrium-test:session-claim"
CLAIM_SECONDS = 6 * 3600
# 12 is the files tests' process database, 13 and 14 the scheduler benchmark's.
CANDIDATES = range(11, 0, -1)


def _empty_but_claim(client: redis.Redis) -> None:
    stale = [name for name in client.scan_iter(count=1000) if name != CLAIM_KEY.encode()]
    if stale:
        client.delete(*stale)


@pytest.fixture(scope="session")
def process_redis_db(services: dict[str, str]) -> Iterator[str]:
    """A Redis database URL claimed by this session (``SET NX`` of a claim key), then released."""
    base = services["ATRIUM_REDIS__URL"].rsplit("/", 1)[0]
    me = f"{os.getpid()}:{uuid4().hex}"
    for db in CANDIDATES:
        client = redis.Redis.from_url(f"{base}/{db}")
        if client.set(CLAIM_KEY, me, nx=True, ex=CLAIM_SECONDS):
            try:
                yield f"{base}/{db}"
            finally:
                _empty_but_claim(client)
                if client.get(CLAIM_KEY) == me.encode():
                    client.delete(CLAIM_KEY)
                client.close()
            return
        client.close()
    pytest.fail("every candidate Redis database is claimed by another test session")


@pytest.fixture
def process_redis_url(process_redis_db: str) -> Iterator[str]:
    """The session's Redis database, emptied before and after the test (its claim kept)."""
    client = redis.Redis.from_url(process_redis_db)
    _empty_but_claim(client)
    try:
        yield process_redis_db
    finally:
        _empty_but_claim(client)
        client.close()


@pytest.fixture
def mongo_db() -> str:
    return f"tw_{uuid4().hex[:10]}"
