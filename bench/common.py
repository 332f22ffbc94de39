"""What the HTTP benchmarks share: the test services' addresses, a free port, store cleanup."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from atrium import devservices

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = ("ATRIUM_REDIS__URL", "ATRIUM_MONGO__URL", "ATRIUM_STORAGE__ENDPOINT")

# Runs in a child process with the benchmark server's environment, so it removes exactly that
# run's Redis keys (its key prefix), MongoDB database and bucket.
_CLEANUP = """
import asyncio
from atrium.config import Settings
from atrium.core.mongo import Mongo
from atrium.core.redis import create_redis
from atrium.core.storage import Storage
s = Settings()
async def main():
    redis = create_redis(s.redis)
    keys = [k async for k in redis.scan_iter(match=s.redis.key_prefix + '*')]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()
    mongo = Mongo(s.mongo)
    await mongo.client.drop_database(s.mongo.database)
    await mongo.close()
    storage = Storage(s.storage)
    await asyncio.to_thread(storage.client.remove_bucket, s.storage.bucket)
asyncio.run(main())
"""


def services() -> dict[str, str]:
    """The test services' variables (``var/test/services.env``, the environment wins)."""
    values = devservices.env("test")
    values.update({name: os.environ[name] for name in REQUIRED if name in os.environ})
    if missing := [name for name in REQUIRED if name not in values]:
        sys.exit(f"test services are not running (missing {', '.join(missing)})")
    return values


def server_env(
    services: dict[str, str], workdir: Path, run_id: str, settings: dict[str, str]
) -> dict[str, str]:
    """A benchmark server's environment: the test services, a SQLite file in ``workdir``, the
    run's own MongoDB database, bucket and Redis key prefix, quiet logs; ``settings`` on top
    (``ATRIUM_`` variables)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ATRIUM_")}
    env.update({key: value for key, value in services.items() if key.startswith("ATRIUM_")})
    env.update(
        {
            "ATRIUM_ENVIRONMENT": "testing",
            "ATRIUM_SQL__URL": f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
            "ATRIUM_MONGO__DATABASE": f"bench_{run_id}",
            "ATRIUM_STORAGE__BUCKET": f"bench-{run_id}",
            "ATRIUM_REDIS__KEY_PREFIX": f"bench:{run_id}:",
            "ATRIUM_LOGGING__LEVEL": "WARNING",
            "ATRIUM_LOGGING__ACCESS_LOG": "false",
            "PYTHONPATH": str(ROOT),
            **settings,
        }
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cleanup_stores(env: dict[str, str]) -> None:
    """Remove what a run with ``env`` stored: its Redis keys, MongoDB database and bucket."""
    command = [sys.executable, "-c", _CLEANUP]
    subprocess.run(command, env=env, check=False, cwd=ROOT, timeout=120)
