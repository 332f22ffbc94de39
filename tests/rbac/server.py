"""A real uvicorn process serving the app with a test's settings (a second node)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from atrium.auth.settings import AuthSettings
from atrium.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def server_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a fresh process read the same settings as ``settings``."""
    return {
        **os.environ,
        "ATRIUM_ENVIRONMENT": settings.environment.value,
        "ATRIUM_SQL__URL": settings.sql.url,
        "ATRIUM_REDIS__URL": settings.redis.url,
        "ATRIUM_MONGO__URL": settings.mongo.url,
        "ATRIUM_MONGO__DATABASE": settings.mongo.database,
        "ATRIUM_STORAGE__ENDPOINT": settings.storage.endpoint,
        "ATRIUM_STORAGE__ACCESS_KEY": settings.storage.access_key,
        "ATRIUM_STORAGE__SECRET_KEY": settings.storage.secret_key.get_secret_value(),
        "ATRIUM_STORAGE__BUCKET": settings.storage.bucket,
        "ATRIUM_DOMAINS": json.dumps(settings.domains),
        "ATRIUM_AUTH__JWT_SECRET": settings.group(AuthSettings).jwt_secret.get_secret_value(),
        "ATRIUM_LOGGING__LEVEL": "WARNING",
        "ATRIUM_LOGGING__ACCESS_LOG": "false",
        "PYTHONPATH": str(ROOT),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def uvicorn_server(settings: Settings, ready_seconds: float = 60) -> AsyncIterator[str]:
    """Start ``uvicorn atrium.asgi:app`` on a free port; yield its base URL; stop it."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "atrium.asgi:app", "--port", str(port)]
    command += ["--host", "127.0.0.1", "--no-access-log", "--log-level", "warning"]
    proc = subprocess.Popen(command, env=server_env(settings), cwd=ROOT)  # noqa: ASYNC220
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_ready(proc, base, ready_seconds)
        yield base
    finally:
        proc.terminate()
        try:
            await asyncio.to_thread(proc.wait, 15)
        except subprocess.TimeoutExpired:
            proc.kill()
            await asyncio.to_thread(proc.wait)


async def _wait_ready(proc: subprocess.Popen[bytes], base: str, seconds: float) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    async with httpx.AsyncClient(base_url=base) as http:
        while asyncio.get_running_loop().time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with {proc.returncode}")
            try:
                if (await http.get("/health/live")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise TimeoutError("the server did not become ready")
