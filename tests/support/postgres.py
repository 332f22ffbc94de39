"""Throwaway PostgreSQL databases on the test server: created empty, dropped afterwards."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from uuid import uuid4

from sqlalchemy.engine import make_url


@contextlib.contextmanager
def postgres_database(admin_url: str, prefix: str = "atrium_test") -> Iterator[str]:
    """The URL of a new, empty database (named ``{prefix}_<random>``), dropped on exit."""
    import asyncpg

    name = f"{prefix}_{uuid4().hex[:12]}"
    url = make_url(admin_url)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
