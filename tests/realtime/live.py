"""A real server on a real port, real Socket.IO clients, and other processes for cross-node tests.

Importable by other domains' tests (``from tests.realtime.live import ...``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sys
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import socketio
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, SecretStr

from atrium.config import Settings
from atrium.core.domain import load_domains
from atrium.main import create_app

ROOT = Path(__file__).resolve().parents[2]
EVENT_TIMEOUT = 5.0


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def free_port() -> int:
    with contextlib.closing(free_socket()) as sock:
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """The app served by uvicorn in this process (its lifespan included) on a free port."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._socket = free_socket()
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="websockets-sansio")
        self.server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._task = asyncio.create_task(self.server.serve(sockets=[self._socket]))
        deadline = time.monotonic() + 30
        while not self.server.started:
            if self._task.done() or time.monotonic() > deadline:
                raise RuntimeError("the live server did not start")
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self._task is not None:
            await asyncio.wait_for(self._task, 30)
        self._socket.close()


@contextlib.asynccontextmanager
async def live_server(settings: Settings) -> AsyncIterator[LiveServer]:
    """Serve ``create_app(settings)``; stores are cleaned before it stops."""
    from tests.conftest import _clean

    server = LiveServer(create_app(settings))
    await server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(Exception):
            await _clean(server.app.state.atrium)
        await server.stop()


class Probe:
    """A Socket.IO client that records every event it receives."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, asyncio.Queue[Any]] = {}
        self.refused: Any = None
        self.disconnected = asyncio.Event()
        self.client.on("*", self._record)
        self.client.on("connect_error", self._connect_error)
        self.client.on("disconnect", self._disconnect)

    def queue(self, event: str) -> asyncio.Queue[Any]:
        return self.events.setdefault(event, asyncio.Queue())

    async def _record(self, event: str, *args: Any) -> None:
        await self.queue(event).put(args[0] if len(args) == 1 else args)

    async def _connect_error(self, data: Any) -> None:
        self.refused = data

    async def _disconnect(self, *_: Any) -> None:
        self.disconnected.set()

    async def connect(
        self, url: str, token: str | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        await self.client.connect(
            url,
            auth={"token": token} if token is not None else None,
            headers=dict(headers or {}),
            transports=["websocket"],
            wait_timeout=EVENT_TIMEOUT,
        )

    async def next(self, event: str, within: float = EVENT_TIMEOUT) -> Any:
        return await asyncio.wait_for(self.queue(event).get(), within)

    async def call(self, event: str, data: Any = None) -> Any:
        return await self.client.call(event, data, timeout=EVENT_TIMEOUT)

    async def close(self) -> None:
        if self.client.connected:
            await self.client.disconnect()
        await self.client.shutdown()


@contextlib.asynccontextmanager
async def probe(url: str, token: str | None = None) -> AsyncIterator[Probe]:
    client = Probe()
    try:
        if token is not None:
            await client.connect(url, token)
        yield client
    finally:
        await client.close()


def settings_env(settings: Settings) -> dict[str, str]:
    """``ATRIUM_*`` variables that rebuild ``settings`` in another process."""
    env = {"ATRIUM_ENVIRONMENT": settings.environment.value, "ATRIUM_ENV_FILE": ""}
    env["ATRIUM_DOMAINS"] = json.dumps(settings.domains)
    load_domains(settings)  # every declared group read, so every one is passed on
    groups = [(name, getattr(settings, name)) for name in type(settings).model_fields]
    groups += [(group.section, group) for group in settings.groups()]
    for name, group in groups:
        if isinstance(group, BaseModel):
            for field, value in group:
                if value is not None:
                    env[f"ATRIUM_{name.upper()}__{field.upper()}"] = _env_value(value)
    return env


def _env_value(value: Any) -> str:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, str | Path):
        return str(value)
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps(value, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return str(value)


def process_env(settings: Settings) -> dict[str, str]:
    """This process's environment without ``ATRIUM_*``, plus ``settings`` as variables."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("ATRIUM_")}
    return {**base, **settings_env(settings), "PYTHONPATH": str(ROOT)}


@contextlib.asynccontextmanager
async def node_process(settings: Settings) -> AsyncIterator[str]:
    """Another API node: ``uvicorn atrium.asgi:app`` in its own process; yields its URL."""
    port = free_port()
    command = ["-m", "uvicorn", "atrium.asgi:app", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", "warning", "--ws", "websockets-sansio"]
    process = await start_process(command, settings)
    try:
        url = f"http://127.0.0.1:{port}"
        await _wait_healthy(url, process)
        yield url
    finally:
        await stop_process(process)


async def start_process(
    args: list[str], settings: Settings, log: Path | None = None
) -> asyncio.subprocess.Process:
    """``python ARGS`` from the project root with ``settings`` in its environment."""
    output = log.open("wb") if log is not None else None
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            cwd=ROOT,
            env=process_env(settings),
            stdout=output,
            stderr=asyncio.subprocess.STDOUT if output else None,
        )
    finally:
        if output is not None:
            output.close()


async def _wait_healthy(url: str, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(timeout=1) as http:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"the node exited with {process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{url}/health/live")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError("the node did not become healthy")


async def stop_process(process: asyncio.subprocess.Process) -> None:
    """Stop a process we started: SIGTERM, then SIGKILL after 15 s."""
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()
